package workflows

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/policies"
)

var systemRelations = []policies.Relation{policies.System}

// RunDeadlines applies every deadline that has passed, each in its own
// transaction, and returns how many fired. The case row is locked and the
// deadline re-read under the lock, so with several instances on one
// PostgreSQL each deadline fires once: a second instance finds the case
// locked (skipped) or already moved on.
func (s *Service) RunDeadlines(ctx context.Context) (int, error) {
	var ids []string
	err := s.db.WithContext(ctx).Model(&models.Dispute{}).
		Where("deadline_at <= ? AND stage IN ?", s.now(), []string{string(StageAwaitingResponse), string(StageFinalOffers)}).
		Order("deadline_at").Limit(500).Pluck("id", &ids).Error
	if err != nil {
		return 0, err
	}
	fired := 0
	for _, id := range ids {
		ok, err := s.expire(ctx, id)
		if err != nil {
			return fired, err
		}
		if ok {
			fired++
		}
	}
	return fired, nil
}

var errSkip = errors.New("deadline not due")

func (s *Service) expire(ctx context.Context, id string) (bool, error) {
	_, err := inTx(context.WithoutCancel(ctx), s, func(tx *gorm.DB) (struct{}, error) {
		var d models.Dispute
		q := lockForUpdate(tx)
		if s.db.Dialect == models.Postgres {
			q = tx.Clauses(skipLocked)
		}
		if err := first(q, "dispute", &d, id); err != nil {
			return struct{}{}, errSkip // locked by another instance, or gone
		}
		if d.DeadlineAt == nil || d.DeadlineAt.After(s.now()) {
			return struct{}{}, errSkip
		}
		t, err := s.transition(Stage(d.Stage), ActionExpire, systemRelations)
		if err != nil {
			return struct{}{}, errSkip
		}
		release, refund := d.ClaimAmount, "both" // missed response: the claimant's amount
		if d.DeadlineKind == DeadlineFee {
			if *feeStatus(&d, other(d.FirstPayer)) != FeeUnpaid {
				return struct{}{}, errSkip // the other party paid in time; its charge awaits the ledger
			}
			// Missed fee: the whole disputed amount goes to the payer's side.
			release, refund = 0, d.FirstPayer
			if d.FirstPayer == RoleFreelancer {
				release = d.TotalAmount
			}
		}
		if err := s.record(tx, &d, "deadline_passed", "system", map[string]any{"deadline": d.DeadlineKind, "deadline_at": d.DeadlineAt}); err != nil {
			return struct{}{}, err
		}
		if err := s.resolve(tx, &d, t, "system", OutcomeDefault, release, refund); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, s.save(tx, &d)
	})
	if errors.Is(err, errSkip) {
		return false, nil
	}
	return err == nil, err
}
