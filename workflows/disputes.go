package workflows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/policies"
)

// Parties and fee states.
const (
	RoleEmployer   = "employer"
	RoleFreelancer = "freelancer"

	FeeUnpaid  = "unpaid"
	FeePending = "pending" // charge written, awaiting the ledger
	FeePaid    = "paid"

	offerOpen     = "open"
	offerReplaced = "replaced"
	offerAccepted = "accepted"
	offerRejected = "rejected"
	offerClosed   = "closed"
)

// Outcome kinds.
const (
	OutcomeAccepted   = "accepted"
	OutcomeSettled    = "settled"
	OutcomeDefault    = "default"
	OutcomeArbitrated = "arbitrated"
	OutcomeWithdrawn  = "withdrawn"
)

// Reasons a dispute may be filed for.
var Reasons = []string{"work_not_delivered", "work_incomplete", "quality_issue", "scope_disagreement", "payment_withheld", "other"}

// NewDispute is a validated request to file a dispute.
type NewDispute struct {
	MilestoneIDs  []string
	Reason        string
	Description   string
	ReleaseAmount int64
}

func other(role string) string {
	if role == RoleEmployer {
		return RoleFreelancer
	}
	return RoleEmployer
}

func partyID(d *models.Dispute, role string) string {
	if role == RoleEmployer {
		return d.EmployerID
	}
	return d.FreelancerID
}

// roleOf is the caller's side in the case, "" if none.
func roleOf(d *models.Dispute, userID string) string {
	switch userID {
	case d.EmployerID:
		return RoleEmployer
	case d.FreelancerID:
		return RoleFreelancer
	}
	return ""
}

// disputeRelations derives the caller's relations to a case from the data.
// A party is only a party: a support or arbitrator role does not count in
// its own case.
func disputeRelations(a Actor, d *models.Dispute) []policies.Relation {
	rels := a.roleRelations()
	if role := roleOf(d, a.ID); role != "" {
		rels = []policies.Relation{policies.User, policies.Party, policies.Relation(role)}
		if a.ID == d.ClaimantID {
			rels = append(rels, policies.Claimant)
		} else {
			rels = append(rels, policies.Respondent)
		}
	}
	if d.ArbitratorID != nil && *d.ArbitratorID == a.ID && slices.Contains(rels, policies.Arbitrator) {
		rels = append(rels, policies.AssignedArbitrator)
	}
	return rels
}

func feeStatus(d *models.Dispute, role string) *string {
	if role == RoleEmployer {
		return &d.EmployerFee
	}
	return &d.FreelancerFee
}

// FileDispute opens a case over held milestones of one project. Errors:
// KindNotFound; KindForbidden (not a party); KindConflict (a milestone is
// not held, already disputed or has money in flight); KindInvalid.
func (s *Service) FileDispute(ctx context.Context, a Actor, in NewDispute) (*DisputeView, error) {
	return inTx(ctx, s, func(tx *gorm.DB) (*DisputeView, error) {
		ids := slices.Clone(in.MilestoneIDs)
		slices.Sort(ids) // lock in one order so concurrent filings cannot deadlock
		if len(slices.Compact(ids)) != len(in.MilestoneIDs) {
			return nil, invalid("validation_failed", "milestone_ids", "must not repeat a milestone")
		}
		// Authorize on every milestone's project before locking anything, so
		// naming someone else's milestone reveals nothing about it.
		var projectIDs []string
		if err := tx.Model(&models.Milestone{}).Where("id IN ?", ids).Distinct("project_id").Pluck("project_id", &projectIDs).Error; err != nil {
			return nil, err
		}
		var p models.Project
		for _, pid := range projectIDs {
			if err := first(tx, "project", &p, pid); err != nil {
				return nil, err
			}
			if !s.authz.Allowed(projectRelations(a, &p), "project", "read") {
				return nil, notFound("milestone")
			}
		}
		var ms []models.Milestone
		if err := lockForUpdate(tx).Where("id IN ?", ids).Order("id").Find(&ms).Error; err != nil {
			return nil, err
		}
		if len(ms) != len(ids) {
			return nil, notFound("milestone")
		}
		if len(projectIDs) > 1 {
			return nil, invalid("milestones_span_projects", "milestone_ids", "all milestones must belong to one project")
		}
		rels := projectRelations(a, &p)
		if !s.authz.Allowed(rels, "dispute", string(ActionFile)) {
			return nil, forbidden("only the project's employer or freelancer may file a dispute")
		}
		if err := s.ensureNotSuspended(tx, a.ID); err != nil {
			return nil, err
		}
		var total int64
		for _, m := range ms {
			switch {
			case m.State == models.MilestoneDisputed:
				return nil, conflict("milestone_disputed", "milestone %s is already in a dispute", m.ID)
			case m.State != models.MilestoneHeld || m.Available() == 0:
				return nil, conflict("milestone_not_held", "milestone %s holds nothing that can be disputed", m.ID)
			case m.PendingAmount != 0:
				return nil, conflict("milestone_has_pending_instruction", "milestone %s has money on its way; wait for the ledger", m.ID)
			}
			total += m.Available()
		}
		if in.ReleaseAmount > total {
			return nil, invalid("amount_exceeds_disputed", "release_amount", fmt.Sprintf("at most the disputed total, %d", total))
		}
		now := s.now()
		claimantRole := RoleEmployer
		if a.ID == p.FreelancerID {
			claimantRole = RoleFreelancer
		}
		d := &models.Dispute{
			ID: newID("dsp"), ProjectID: p.ID, EmployerID: p.EmployerID, FreelancerID: p.FreelancerID,
			ClaimantID: a.ID, ClaimantRole: claimantRole, Reason: in.Reason, Description: in.Description,
			Currency: p.Currency, TotalAmount: total, ClaimAmount: in.ReleaseAmount,
			Stage: string(StageAwaitingResponse), FeeAmount: s.rules.Fee(total),
			EmployerFee: FeeUnpaid, FreelancerFee: FeeUnpaid, CreatedAt: now, UpdatedAt: now,
		}
		d.RespondentID = partyID(d, other(claimantRole))
		deadline := now.Add(s.rules.responseWindow(other(claimantRole)))
		d.DeadlineAt, d.DeadlineKind = &deadline, DeadlineResponse
		if err := tx.Create(d).Error; err != nil {
			return nil, err
		}
		for i := range ms {
			m := &ms[i]
			if err := tx.Create(&models.DisputeMilestone{DisputeID: d.ID, MilestoneID: m.ID, Amount: m.Available()}).Error; err != nil {
				return nil, err
			}
			m.DisputeID, m.State, m.UpdatedAt = &d.ID, models.MilestoneDisputed, now
			if err := tx.Save(m).Error; err != nil {
				return nil, err
			}
		}
		// The claim is the claimant's first offer: accepting it settles on its amount.
		claim, err := s.putOffer(tx, d, a.ID, claimantRole, in.ReleaseAmount, "claim: "+in.Description)
		if err != nil {
			return nil, err
		}
		if err := s.record(tx, d, "filed", a.ID, map[string]any{
			"milestone_ids": ids, "reason": in.Reason, "release_amount": in.ReleaseAmount,
			"total_amount": total, "claim_offer_id": claim.ID, "deadline_at": deadline,
		}); err != nil {
			return nil, err
		}
		return s.saveAndView(tx, d, a)
	})
}

// loadDispute locks a case for a command and derives the caller's
// relations. Callers with no relation to the case get 404 before any lock
// is taken on it.
func (s *Service) loadDispute(tx *gorm.DB, a Actor, id string) (*models.Dispute, []policies.Relation, error) {
	if _, _, err := s.readDispute(tx, a, id); err != nil {
		return nil, nil, err
	}
	var d models.Dispute
	if err := first(lockForUpdate(tx), "dispute", &d, id); err != nil {
		return nil, nil, err
	}
	return &d, disputeRelations(a, &d), nil
}

// deadlinePassed: the case's deadline is over, whether or not the sweep has
// applied it yet. No party action may then change the case.
func (s *Service) deadlinePassed(d *models.Dispute) bool {
	return d.DeadlineAt != nil && !d.DeadlineAt.After(s.now())
}

// command runs one dispute action for a caller in one transaction: lock the
// case, find the transition, apply it, save and answer with the new view.
func (s *Service) command(ctx context.Context, a Actor, id string, action Action,
	apply func(tx *gorm.DB, d *models.Dispute, t *Transition) error) (*DisputeView, error) {
	return meetDeadline(ctx, s, id, func() (*DisputeView, error) {
		return inTx(ctx, s, func(tx *gorm.DB) (*DisputeView, error) {
			d, t, err := s.begin(tx, a, id, action)
			if err != nil {
				return nil, err
			}
			if err := apply(tx, d, t); err != nil {
				return nil, err
			}
			return s.saveAndView(tx, d, a)
		})
	})
}

// begin locks the case and finds the transition the caller asks for. Once
// the case's deadline has passed nothing else may happen to it: begin
// refuses, and meetDeadline applies the deadline and asks again.
func (s *Service) begin(tx *gorm.DB, a Actor, id string, action Action) (*models.Dispute, *Transition, error) {
	d, rels, err := s.loadDispute(tx, a, id)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.transition(Stage(d.Stage), action, rels)
	if err == nil && s.deadlinePassed(d) {
		err = conflict("deadline_passed", "the %s deadline passed at %s", d.DeadlineKind, d.DeadlineAt.Format(time.RFC3339))
	}
	return d, t, err
}

// enter moves the case to t.To, clearing a deadline left behind and
// starting the one the transition starts.
func (s *Service) enter(d *models.Dispute, t *Transition) {
	if Stage(d.Stage) != t.To {
		d.DeadlineAt, d.DeadlineKind = nil, ""
	}
	d.Stage = string(t.To)
	if t.Starts == DeadlineFee {
		at := s.now().Add(s.rules.FeeWindow)
		d.DeadlineAt, d.DeadlineKind = &at, DeadlineFee
	}
}

// AcceptClaim settles the case on the claimant's amount (respondent, stage 1).
func (s *Service) AcceptClaim(ctx context.Context, a Actor, id string) (*DisputeView, error) {
	return s.command(ctx, a, id, ActionAcceptClaim, func(tx *gorm.DB, d *models.Dispute, t *Transition) error {
		var claim models.Offer
		if err := tx.Where("dispute_id = ? AND party = ? AND status = ?", d.ID, d.ClaimantRole, offerOpen).Take(&claim).Error; err != nil {
			return err
		}
		return s.acceptOffer(tx, d, t, a, &claim, OutcomeAccepted)
	})
}

// MakeOffer records a party's offer, replacing its open one. In stage 1 only
// the respondent offers, which moves the case to negotiation. Errors:
// KindInvalid (amount beyond the disputed total), KindConflict, KindForbidden.
func (s *Service) MakeOffer(ctx context.Context, a Actor, id string, amount int64, note string) (*DisputeView, error) {
	return s.command(ctx, a, id, ActionOffer, func(tx *gorm.DB, d *models.Dispute, t *Transition) error {
		if amount > d.TotalAmount {
			return invalid("amount_exceeds_disputed", "release_amount", fmt.Sprintf("at most the disputed total, %d", d.TotalAmount))
		}
		o, err := s.putOffer(tx, d, a.ID, roleOf(d, a.ID), amount, note)
		if err != nil {
			return err
		}
		s.enter(d, t)
		return s.record(tx, d, "offer_made", a.ID, map[string]any{"offer_id": o.ID, "release_amount": amount, "note": note})
	})
}

func (s *Service) putOffer(tx *gorm.DB, d *models.Dispute, userID, role string, amount int64, note string) (*models.Offer, error) {
	if err := tx.Model(&models.Offer{}).Where("dispute_id = ? AND party = ? AND status = ?", d.ID, role, offerOpen).
		Update("status", offerReplaced).Error; err != nil {
		return nil, err
	}
	o := &models.Offer{ID: newID("ofr"), DisputeID: d.ID, Party: role, UserID: userID,
		ReleaseAmount: amount, Note: note, Status: offerOpen, CreatedAt: s.now()}
	return o, tx.Create(o).Error
}

// AnswerOffer accepts (settling the case) or rejects the other party's open
// offer. Errors: KindNotFound (no such offer in this case); KindForbidden
// (own offer); KindConflict (offer no longer open, or wrong stage).
func (s *Service) AnswerOffer(ctx context.Context, a Actor, id, offerID string, accept bool) (*DisputeView, error) {
	action := ActionRejectOffer
	if accept {
		action = ActionAcceptOffer
	}
	return s.command(ctx, a, id, action, func(tx *gorm.DB, d *models.Dispute, t *Transition) error {
		var o models.Offer
		if err := tx.Where("id = ? AND dispute_id = ?", offerID, d.ID).Take(&o).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return notFound("offer")
			}
			return err
		}
		if o.Party == roleOf(d, a.ID) {
			return forbidden("only the other party may answer an offer")
		}
		if o.Status != offerOpen {
			return conflict("offer_not_open", "the offer is %s", o.Status)
		}
		if accept {
			return s.acceptOffer(tx, d, t, a, &o, OutcomeSettled)
		}
		if err := tx.Model(&o).Update("status", offerRejected).Error; err != nil {
			return err
		}
		return s.record(tx, d, "offer_rejected", a.ID, map[string]any{"offer_id": o.ID})
	})
}

func (s *Service) acceptOffer(tx *gorm.DB, d *models.Dispute, t *Transition, a Actor, o *models.Offer, outcome string) error {
	if err := tx.Model(o).Update("status", offerAccepted).Error; err != nil {
		return err
	}
	if err := s.record(tx, d, "offer_accepted", a.ID, map[string]any{"offer_id": o.ID, "release_amount": o.ReleaseAmount}); err != nil {
		return err
	}
	return s.resolve(tx, d, t, a.ID, outcome, o.ReleaseAmount, "both")
}

// PayFee charges the caller's arbitration fee. The case escalates when the
// ledger acknowledges the charge. Errors: KindConflict (already paid or on
// its way; wrong stage), KindForbidden.
func (s *Service) PayFee(ctx context.Context, a Actor, id string) (*DisputeView, error) {
	return s.command(ctx, a, id, ActionPayFee, func(tx *gorm.DB, d *models.Dispute, t *Transition) error {
		role := roleOf(d, a.ID)
		status := feeStatus(d, role)
		if *status != FeeUnpaid {
			return conflict("fee_already_paid", "your fee is already %s", *status)
		}
		*status = FeePending
		ins, err := s.emit(tx, &models.Instruction{
			IdempotencyKey: fmt.Sprintf("dispute:%s:fee_charge:%s:%d", d.ID, role, d.Version),
			Kind:           models.KindFeeCharge, Currency: d.Currency, Amount: d.FeeAmount,
			ProjectID: d.ProjectID, DisputeID: &d.ID, FromAccount: userAccount(a.ID), ToAccount: feeAccount(d.ID),
		})
		if err != nil {
			return err
		}
		return s.record(tx, d, "fee_charged", a.ID, map[string]any{"party": role, "amount": d.FeeAmount, "instruction_id": ins.ID})
	})
}

// Withdraw ends the case at the claimant's request; the milestones go back
// to held and paid fees are refunded.
func (s *Service) Withdraw(ctx context.Context, a Actor, id string) (*DisputeView, error) {
	return s.command(ctx, a, id, ActionWithdraw, func(tx *gorm.DB, d *models.Dispute, t *Transition) error {
		return s.resolve(tx, d, t, a.ID, OutcomeWithdrawn, 0, "both")
	})
}

// AssignArbitrator puts an arbitrator on the case (support). Errors:
// KindInvalid (not a known arbitrator, or a party to the case).
func (s *Service) AssignArbitrator(ctx context.Context, a Actor, id, arbitratorID string) (*DisputeView, error) {
	return s.command(ctx, a, id, ActionAssign, func(tx *gorm.DB, d *models.Dispute, t *Transition) error {
		if roleOf(d, arbitratorID) != "" {
			return invalid("arbitrator_is_party", "arbitrator_id", "an arbitrator may not be a party to the case")
		}
		var n int64
		if err := tx.Model(&models.Arbitrator{}).Where("user_id = ?", arbitratorID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return invalid("not_an_arbitrator", "arbitrator_id", "no user with the arbitrator role is known by this id")
		}
		d.ArbitratorID = &arbitratorID
		return s.record(tx, d, "arbitrator_assigned", a.ID, map[string]any{"arbitrator_id": arbitratorID})
	})
}

// Decision is an arbitrator's ruling.
type Decision struct {
	ReleaseAmount int64
	Rationale     string
	FeeRefund     string // employer, freelancer, both, none
}

// Decide resolves the case on the assigned arbitrator's ruling; it is final.
// Errors: KindInvalid (amount beyond the disputed total), KindForbidden.
func (s *Service) Decide(ctx context.Context, a Actor, id string, dec Decision) (*DisputeView, error) {
	return s.command(ctx, a, id, ActionDecide, func(tx *gorm.DB, d *models.Dispute, t *Transition) error {
		if dec.ReleaseAmount > d.TotalAmount {
			return invalid("amount_exceeds_disputed", "release_amount", fmt.Sprintf("at most the disputed total, %d", d.TotalAmount))
		}
		d.Rationale = dec.Rationale
		if err := s.record(tx, d, "decided", a.ID, map[string]any{
			"release_amount": dec.ReleaseAmount, "rationale": dec.Rationale, "fee_refund": dec.FeeRefund,
		}); err != nil {
			return err
		}
		return s.resolve(tx, d, t, a.ID, OutcomeArbitrated, dec.ReleaseAmount, dec.FeeRefund)
	})
}

func feeAccount(disputeID string) string { return "fees:" + disputeID }

// saveAndView bumps the version, saves the case and renders it for a.
func (s *Service) saveAndView(tx *gorm.DB, d *models.Dispute, a Actor) (*DisputeView, error) {
	if err := s.save(tx, d); err != nil {
		return nil, err
	}
	return s.view(tx, d, a)
}

// save writes a changed case with the next version.
func (s *Service) save(tx *gorm.DB, d *models.Dispute) error {
	d.Version++
	d.UpdatedAt = s.now()
	return tx.Save(d).Error
}
