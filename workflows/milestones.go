package workflows

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/policies"
)

// NewMilestone is a validated request to fund a milestone.
type NewMilestone struct {
	Description string
	Amount      int64
}

// MilestoneView is a milestone with the ledger instructions that move its
// money, so a rejected one is visible where people look.
type MilestoneView struct {
	models.Milestone
	Instructions []models.Instruction `json:"instructions"`
}

// loadMilestone reads a milestone, locked for update when lock is set, with
// its project and the caller's relations to it.
func loadMilestone(tx *gorm.DB, a Actor, id string, lock bool) (*models.Milestone, *models.Project, []policies.Relation, error) {
	var m models.Milestone
	q := tx
	if lock {
		q = lockForUpdate(tx)
	}
	if err := first(q, "milestone", &m, id); err != nil {
		return nil, nil, nil, err
	}
	var p models.Project
	if err := first(tx, "project", &p, m.ProjectID); err != nil {
		return nil, nil, nil, err
	}
	return &m, &p, projectRelations(a, &p), nil
}

// CreateMilestone funds a milestone of the project and writes its hold
// instruction. Errors: KindNotFound, KindForbidden (not the employer).
func (s *Service) CreateMilestone(ctx context.Context, a Actor, projectID string, in NewMilestone) (*MilestoneView, error) {
	return inTx(ctx, s, func(tx *gorm.DB) (*MilestoneView, error) {
		var p models.Project
		if err := first(tx, "project", &p, projectID); err != nil {
			return nil, err
		}
		if err := s.authorize(projectRelations(a, &p), "milestone", "create"); err != nil {
			return nil, err
		}
		now := s.now()
		m := models.Milestone{
			ID: newID("mil"), ProjectID: p.ID, Description: in.Description, Currency: p.Currency,
			Amount: in.Amount, State: models.MilestonePending, CreatedAt: now, UpdatedAt: now,
		}
		if err := tx.Create(&m).Error; err != nil {
			return nil, err
		}
		hold, err := s.emit(tx, &models.Instruction{
			IdempotencyKey: "milestone:" + m.ID + ":hold", Kind: models.KindHold,
			Currency: m.Currency, Amount: m.Amount, ProjectID: p.ID, MilestoneID: &m.ID,
			FromAccount: userAccount(p.EmployerID), ToAccount: escrowAccount(m.ID),
		})
		if err != nil {
			return nil, err
		}
		return &MilestoneView{Milestone: m, Instructions: []models.Instruction{*hold}}, nil
	})
}

// GetMilestone returns a milestone and its instructions. Errors: KindNotFound.
func (s *Service) GetMilestone(ctx context.Context, a Actor, id string) (*MilestoneView, error) {
	return readTx(ctx, s, func(db *gorm.DB) (*MilestoneView, error) {
		m, _, rels, err := loadMilestone(db, a, id, false)
		if err != nil {
			return nil, err
		}
		if err := s.authorize(rels, "milestone", "read"); err != nil {
			return nil, err
		}
		return s.milestoneView(db, m)
	})
}

func (s *Service) milestoneView(tx *gorm.DB, m *models.Milestone) (*MilestoneView, error) {
	v := &MilestoneView{Milestone: *m, Instructions: []models.Instruction{}}
	err := tx.Where("milestone_id = ?", m.ID).Order("seq").Find(&v.Instructions).Error
	return v, err
}

// ListMilestones lists a project's milestones, newest first. Errors: KindNotFound.
func (s *Service) ListMilestones(ctx context.Context, a Actor, projectID string, page PageRequest) (Page[models.Milestone], error) {
	if _, err := s.GetProject(ctx, a, projectID); err != nil {
		return Page[models.Milestone]{}, err
	}
	q := s.db.WithContext(ctx).Where("project_id = ?", projectID)
	return pageByID(q, page, func(m models.Milestone) string { return m.ID })
}

// ReleaseMilestone pays amount (nil: all still held) of a milestone to the
// freelancer. Errors: KindNotFound; KindForbidden (not the employer);
// KindConflict (not held, e.g. disputed); KindInvalid (more than held).
func (s *Service) ReleaseMilestone(ctx context.Context, a Actor, id string, amount *int64) (*MilestoneView, error) {
	return s.moveMilestoneMoney(ctx, a, id, "release", amount)
}

// CancelMilestone returns what is still held to the employer. Errors as ReleaseMilestone.
func (s *Service) CancelMilestone(ctx context.Context, a Actor, id string) (*MilestoneView, error) {
	return s.moveMilestoneMoney(ctx, a, id, "cancel", nil)
}

func (s *Service) moveMilestoneMoney(ctx context.Context, a Actor, id, action string, amount *int64) (*MilestoneView, error) {
	return inTx(ctx, s, func(tx *gorm.DB) (*MilestoneView, error) {
		m, p, rels, err := loadMilestone(tx, a, id, true)
		if err != nil {
			return nil, err
		}
		if err := s.authorize(rels, "milestone", action); err != nil {
			return nil, err
		}
		switch {
		case m.State == models.MilestoneDisputed:
			return nil, conflict("milestone_disputed", "the milestone is frozen by an open dispute")
		case m.State != models.MilestoneHeld:
			return nil, conflict("milestone_not_held", "the milestone is %s, not held", m.State)
		case m.Available() == 0:
			return nil, conflict("nothing_held", "everything in this milestone is already released, returned or on its way")
		}
		amt := m.Available()
		if amount != nil {
			if *amount > amt {
				return nil, invalid("amount_exceeds_held", "amount", fmt.Sprintf("at most %d is held", amt))
			}
			amt = *amount
		}
		kind, to := models.KindRelease, userAccount(p.FreelancerID)
		if action == "cancel" {
			kind, to = models.KindReturn, userAccount(p.EmployerID)
		}
		m.Ops++
		m.PendingAmount += amt
		m.UpdatedAt = s.now()
		if err := tx.Save(m).Error; err != nil {
			return nil, err
		}
		if _, err := s.emit(tx, &models.Instruction{
			IdempotencyKey: fmt.Sprintf("milestone:%s:%s:%d", m.ID, kind, m.Ops), Kind: kind,
			Currency: m.Currency, Amount: amt, ProjectID: p.ID, MilestoneID: &m.ID,
			FromAccount: escrowAccount(m.ID), ToAccount: to,
		}); err != nil {
			return nil, err
		}
		return s.milestoneView(tx, m)
	})
}

// settleState derives a milestone's state from its amounts once the ledger
// has answered; a dispute keeps it frozen whatever the amounts.
func settleState(m *models.Milestone) {
	switch {
	case m.DisputeID != nil:
		m.State = models.MilestoneDisputed
	case m.FailedAmount > 0:
		m.State = models.MilestonePayoutFailed
	case m.ReleasedAmount+m.ReturnedAmount < m.Amount:
		m.State = models.MilestoneHeld
	case m.ReturnedAmount == 0:
		m.State = models.MilestoneReleased
	case m.ReleasedAmount == 0:
		m.State = models.MilestoneReturned
	default:
		m.State = models.MilestoneSplit
	}
}
