package workflows

import (
	"context"
	"errors"
	"fmt"

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
	// A fee window whose second fee is on its way to the ledger is not due:
	// that party paid in time. Leaving such cases out keeps them from
	// filling every batch and starving the rest.
	var ids []string
	err := s.db.WithContext(ctx).Model(&models.Dispute{}).
		Where("deadline_at <= ? AND stage IN ?", s.now(), []string{string(StageAwaitingResponse), string(StageFinalOffers)}).
		Where("NOT (stage = ? AND (employer_fee = ? OR freelancer_fee = ?))", string(StageFinalOffers), FeePending, FeePending).
		Order("deadline_at, id").Limit(500).Pluck("id", &ids).Error
	if err != nil {
		return 0, err
	}
	fired := 0
	var errs []error
	for _, id := range ids {
		ok, err := s.expire(ctx, id)
		if err != nil {
			errs = append(errs, fmt.Errorf("dispute %s: %w", id, err)) // one bad case must not block the rest
			continue
		}
		if ok {
			fired++
		}
	}
	return fired, errors.Join(errs...)
}

// meetDeadline runs a command; if the case's deadline had passed before the
// sweep applied it, it applies it now and runs the command again, so a late
// action meets the outcome the deadline decided (409) rather than the stage
// before it. The common path costs nothing extra.
func meetDeadline[T any](ctx context.Context, s *Service, id string, run func() (T, error)) (T, error) {
	out, err := run()
	if we, ok := AsError(err); !ok || we.Code != "deadline_passed" {
		return out, err
	}
	if _, err := s.expire(ctx, id); err != nil {
		return out, err
	}
	return run()
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
