package workflows

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/disputed/disputed/models"
)

// record appends an event to the case's timeline, chained to the previous
// one by hash. The chain head lives on the case row, which the caller has
// locked, so two commands can never fork the chain.
func (s *Service) record(tx *gorm.DB, d *models.Dispute, kind, actorID string, data map[string]any) error {
	raw, err := json.Marshal(data) // maps marshal with sorted keys: canonical
	if err != nil {
		return err
	}
	ev := models.DisputeEvent{
		DisputeID: d.ID, Index: d.LastEventIndex + 1, Kind: kind, ActorID: actorID,
		At: s.now(), Data: string(raw), PrevHash: d.LastEventHash,
	}
	ev.Hash = eventHash(&ev)
	if err := tx.Create(&ev).Error; err != nil {
		return err
	}
	d.LastEventIndex, d.LastEventHash = ev.Index, ev.Hash
	return s.enqueue(tx, "evt_"+d.ID+"_"+strconv.FormatInt(ev.Index, 10), "dispute."+kind,
		Event{DisputeEvent: ev, Data: raw})
}

// eventHash covers every field of an event and the previous hash.
func eventHash(ev *models.DisputeEvent) string {
	h := sha256.New()
	for _, part := range []string{ev.PrevHash, ev.DisputeID, strconv.FormatInt(ev.Index, 10), ev.Kind,
		ev.ActorID, ev.At.UTC().Format(time.RFC3339Nano), ev.Data} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Event is a timeline entry as callers read it.
type Event struct {
	models.DisputeEvent
	Data json.RawMessage `json:"data"`
}

// Events lists a case's timeline in order. Errors: KindNotFound.
func (s *Service) Events(ctx context.Context, a Actor, id string) ([]Event, error) {
	_, evs, err := s.readEvents(ctx, a, id)
	if err != nil {
		return nil, err
	}
	out := make([]Event, len(evs))
	for i, ev := range evs {
		out[i] = Event{DisputeEvent: ev, Data: json.RawMessage(ev.Data)}
	}
	return out, nil
}

func (s *Service) readEvents(ctx context.Context, a Actor, id string) (*models.Dispute, []models.DisputeEvent, error) {
	db := s.db.WithContext(ctx)
	d, _, err := s.readDispute(db, a, id)
	if err != nil {
		return nil, nil, err
	}
	var evs []models.DisputeEvent
	err = db.Where("dispute_id = ?", id).Order("idx").Find(&evs).Error
	return d, evs, err
}

// Verification says whether a timeline's hash chain holds, and where it
// first breaks if not.
type Verification struct {
	Valid    bool   `json:"valid"`
	Events   int    `json:"events"`
	BrokenAt *int64 `json:"broken_at"`
	Head     string `json:"head"`
}

// VerifyEvents recomputes the chain from the stored events. Errors: KindNotFound.
func (s *Service) VerifyEvents(ctx context.Context, a Actor, id string) (*Verification, error) {
	d, evs, err := s.readEvents(ctx, a, id)
	if err != nil {
		return nil, err
	}
	v := &Verification{Valid: true, Events: len(evs)}
	prev := ""
	for i := range evs {
		ev := &evs[i]
		if ev.Index != int64(i+1) || ev.PrevHash != prev || eventHash(ev) != ev.Hash {
			v.Valid, v.BrokenAt = false, &ev.Index
			break
		}
		prev = ev.Hash
	}
	if v.Valid && prev != d.LastEventHash { // events cut off the end
		v.Valid, v.BrokenAt = false, &d.LastEventIndex
	}
	v.Head = prev
	return v, nil
}
