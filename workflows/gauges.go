package workflows

import (
	"context"
	"time"

	"github.com/disputed/disputed/models"
)

// Gauges are the numbers operators watch, read from the database.
type Gauges struct {
	DisputesByStage map[string]int64
	// PendingInstructions and OldestPending measure the ledger feed's lag:
	// what the ledger has not answered yet, and since when.
	PendingInstructions int64
	OldestPending       time.Duration
	DeadDeliveries      int64
}

// ReadGauges reads the gauges; it is for the metrics endpoint, not callers.
func (s *Service) ReadGauges(ctx context.Context) (*Gauges, error) {
	db := s.db.WithContext(ctx)
	g := &Gauges{DisputesByStage: map[string]int64{}}
	var stages []struct {
		Stage string
		N     int64
	}
	if err := db.Model(&models.Dispute{}).Select("stage, COUNT(*) AS n").Group("stage").Scan(&stages).Error; err != nil {
		return nil, err
	}
	for _, st := range Stages {
		g.DisputesByStage[string(st)] = 0
	}
	for _, st := range stages {
		g.DisputesByStage[st.Stage] = st.N
	}
	var oldest struct {
		N     int64
		First *time.Time
	}
	if err := db.Model(&models.Instruction{}).Select("COUNT(*) AS n, MIN(created_at) AS first").
		Where("status = ?", models.InstructionPending).Scan(&oldest).Error; err != nil {
		return nil, err
	}
	g.PendingInstructions = oldest.N
	if oldest.First != nil {
		g.OldestPending = s.now().Sub(*oldest.First)
	}
	err := db.Model(&models.Delivery{}).Where("status = ?", models.DeliveryDead).Count(&g.DeadDeliveries).Error
	return g, err
}
