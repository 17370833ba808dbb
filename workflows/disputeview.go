package workflows

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/policies"
)

// DisputeView is a case as a caller reads it, with the actions the caller
// may take now.
type DisputeView struct {
	ID             string              `json:"id"`
	ProjectID      string              `json:"project_id"`
	Milestones     []DisputedMilestone `json:"milestones"`
	ClaimantID     string              `json:"claimant_id"`
	ClaimantRole   string              `json:"claimant_role"`
	RespondentID   string              `json:"respondent_id"`
	RespondentRole string              `json:"respondent_role"`
	Reason         string              `json:"reason"`
	Description    string              `json:"description"`
	Currency       string              `json:"currency"`
	TotalAmount    int64               `json:"total_amount"`
	ClaimAmount    int64               `json:"claim_amount"`
	Stage          Stage               `json:"stage"`
	Outcome        *Outcome            `json:"outcome"`
	Fee            Fee                 `json:"fee"`
	Offers         CurrentOffers       `json:"offers"`
	DeadlineAt     *time.Time          `json:"deadline_at"`
	DeadlineKind   *string             `json:"deadline_kind"`
	ArbitratorID   *string             `json:"arbitrator_id"`
	Version        int64               `json:"version"`
	Actions        []Action            `json:"actions"`
	CreatedAt      time.Time           `json:"created_at"`
	UpdatedAt      time.Time           `json:"updated_at"`
	ResolvedAt     *time.Time          `json:"resolved_at"`
}

// DisputedMilestone is one milestone of a case and the amount disputed in it.
type DisputedMilestone struct {
	MilestoneID string `json:"milestone_id"`
	Amount      int64  `json:"amount"`
}

// Outcome is how a case ended. Release + return + kept in escrow is the
// disputed total; only a withdrawal keeps money in escrow (the milestones
// are held again).
type Outcome struct {
	Kind          string `json:"kind"`
	ReleaseAmount int64  `json:"release_amount"`
	ReturnAmount  int64  `json:"return_amount"`
	KeptInEscrow  int64  `json:"kept_in_escrow"`
	Rationale     string `json:"rationale,omitempty"`
	FeeRefund     string `json:"fee_refund"`
}

// Fee is the arbitration fee each party pays to escalate, and who has paid.
type Fee struct {
	Amount     int64  `json:"amount"`
	Employer   string `json:"employer"`
	Freelancer string `json:"freelancer"`
	FirstPayer string `json:"first_payer,omitempty"`
}

// CurrentOffers are each party's open offer, if any.
type CurrentOffers struct {
	Employer   *models.Offer `json:"employer"`
	Freelancer *models.Offer `json:"freelancer"`
}

func (s *Service) view(tx *gorm.DB, d *models.Dispute, a Actor) (*DisputeView, error) {
	var open []models.Offer
	if err := tx.Where("dispute_id = ? AND status = ?", d.ID, offerOpen).Find(&open).Error; err != nil {
		return nil, err
	}
	var ms []DisputedMilestone
	if err := tx.Model(&models.DisputeMilestone{}).Where("dispute_id = ?", d.ID).Order("milestone_id").Find(&ms).Error; err != nil {
		return nil, err
	}
	return s.render(d, a, ms, open), nil
}

// render builds the view from the case row, its milestones and open offers.
func (s *Service) render(d *models.Dispute, a Actor, milestones []DisputedMilestone, open []models.Offer) *DisputeView {
	v := &DisputeView{
		ID: d.ID, ProjectID: d.ProjectID, ClaimantID: d.ClaimantID, ClaimantRole: d.ClaimantRole,
		RespondentID: d.RespondentID, RespondentRole: other(d.ClaimantRole), Reason: d.Reason,
		Description: d.Description, Currency: d.Currency, TotalAmount: d.TotalAmount, ClaimAmount: d.ClaimAmount,
		Stage: Stage(d.Stage), DeadlineAt: d.DeadlineAt, ArbitratorID: d.ArbitratorID, Version: d.Version,
		Fee:       Fee{Amount: d.FeeAmount, Employer: d.EmployerFee, Freelancer: d.FreelancerFee, FirstPayer: d.FirstPayer},
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, ResolvedAt: d.ResolvedAt,
	}
	if d.DeadlineKind != "" {
		v.DeadlineKind = &d.DeadlineKind
	}
	if d.Outcome != nil {
		v.Outcome = &Outcome{Kind: *d.Outcome, Rationale: d.Rationale, FeeRefund: d.FeeRefund, KeptInEscrow: d.TotalAmount}
		if d.ReleaseAmount != nil {
			v.Outcome.ReleaseAmount, v.Outcome.ReturnAmount, v.Outcome.KeptInEscrow = *d.ReleaseAmount, *d.ReturnAmount, 0
		}
	}
	v.Milestones = milestones
	for i := range open {
		if open[i].Party == RoleEmployer {
			v.Offers.Employer = &open[i]
		} else {
			v.Offers.Freelancer = &open[i]
		}
	}
	v.Actions = s.allowedActions(d, disputeRelations(a, d), v.Offers)
	return v
}

// allowedActions answers "what may this caller do now" from the machine,
// the policy and the data guards the commands check.
func (s *Service) allowedActions(d *models.Dispute, rels []policies.Relation, offers CurrentOffers) []Action {
	role := roleOf(d, "")
	for _, r := range rels {
		if r == policies.Employer || r == policies.Freelancer {
			role = string(r)
		}
	}
	out := []Action{}
	if s.deadlinePassed(d) {
		return out // the deadline decides; nothing is left to do
	}
	for _, t := range Machine {
		if t.From != Stage(d.Stage) || t.Who == policies.System || !slices.Contains(rels, t.Who) ||
			!s.authz.Allowed(rels, "dispute", string(t.Action)) || slices.Contains(out, t.Action) {
			continue
		}
		switch t.Action {
		case ActionPayFee:
			if *feeStatus(d, role) != FeeUnpaid {
				continue
			}
		case ActionAcceptOffer, ActionRejectOffer:
			theirs := offers.Employer
			if role == RoleEmployer {
				theirs = offers.Freelancer
			}
			if theirs == nil {
				continue
			}
		}
		out = append(out, t.Action)
	}
	return out
}

// GetDispute reads a case with its milestones and open offers in one
// statement: one round trip and one snapshot. Errors: KindNotFound.
func (s *Service) GetDispute(ctx context.Context, a Actor, id string) (*DisputeView, error) {
	db := s.db.WithContext(ctx)
	var rows []struct {
		models.Dispute
		Parts                                       string // milestone_id:amount,...
		OfferID, OfferParty, OfferUserID, OfferNote *string
		OfferReleaseAmount                          *int64
		OfferCreatedAt                              *time.Time
	}
	concat := "group_concat(m.milestone_id || ':' || m.amount, ',')"
	if s.db.Dialect == models.Postgres {
		concat = "string_agg(m.milestone_id || ':' || m.amount, ',')"
	}
	err := db.Table("disputes AS d").
		Select("d.*, (SELECT "+concat+" FROM dispute_milestones m WHERE m.dispute_id = d.id) AS parts, "+
			"o.id AS offer_id, o.party AS offer_party, o.user_id AS offer_user_id, o.note AS offer_note, "+
			"o.release_amount AS offer_release_amount, o.created_at AS offer_created_at").
		Joins("LEFT JOIN offers o ON o.dispute_id = d.id AND o.status = ?", offerOpen).
		Where("d.id = ?", id).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, notFound("dispute")
	}
	d := &rows[0].Dispute
	if err := s.authorize(disputeRelations(a, d), "dispute", "read"); err != nil {
		return nil, err
	}
	var open []models.Offer
	for _, r := range rows {
		if r.OfferID != nil {
			open = append(open, models.Offer{ID: *r.OfferID, DisputeID: d.ID, Party: *r.OfferParty, UserID: *r.OfferUserID,
				ReleaseAmount: *r.OfferReleaseAmount, Note: *r.OfferNote, Status: offerOpen, CreatedAt: r.OfferCreatedAt.UTC()})
		}
	}
	return s.render(d, a, parseParts(rows[0].Parts), open), nil
}

// parseParts reads "milestone_id:amount,..." (ids never hold ':' or ',').
func parseParts(s string) []DisputedMilestone {
	out := []DisputedMilestone{}
	for _, part := range strings.Split(s, ",") {
		id, amount, ok := strings.Cut(part, ":")
		if n, err := strconv.ParseInt(amount, 10, 64); ok && err == nil {
			out = append(out, DisputedMilestone{MilestoneID: id, Amount: n})
		}
	}
	slices.SortFunc(out, func(a, b DisputedMilestone) int { return strings.Compare(a.MilestoneID, b.MilestoneID) })
	return out
}

// DisputeSummary is a case in a list.
type DisputeSummary struct {
	ID           string     `json:"id"`
	ProjectID    string     `json:"project_id"`
	ClaimantID   string     `json:"claimant_id"`
	RespondentID string     `json:"respondent_id"`
	Currency     string     `json:"currency"`
	TotalAmount  int64      `json:"total_amount"`
	Stage        string     `json:"stage"`
	Outcome      *string    `json:"outcome"`
	DeadlineAt   *time.Time `json:"deadline_at"`
	ArbitratorID *string    `json:"arbitrator_id"`
	Version      int64      `json:"version"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// ListDisputes lists the caller's cases, newest first: as a party or as the
// assigned arbitrator; support sees every case. stage filters if set.
func (s *Service) ListDisputes(ctx context.Context, a Actor, stage string, page PageRequest) (Page[DisputeSummary], error) {
	base := func(where string, args ...any) *gorm.DB {
		q := s.db.WithContext(ctx).Model(&models.Dispute{})
		if where != "" {
			q = q.Where(where, args...)
		}
		if stage != "" {
			q = q.Where("stage = ?", stage)
		}
		return q
	}
	idOf := func(d DisputeSummary) string { return d.ID }
	roles := a.roleRelations()
	if slices.Contains(roles, policies.Support) {
		return pageByID(base(""), page, idOf)
	}
	queries := []*gorm.DB{base("claimant_id = ?", a.ID), base("respondent_id = ?", a.ID)}
	if slices.Contains(roles, policies.Arbitrator) {
		queries = append(queries, base("arbitrator_id = ?", a.ID))
	}
	return pageOfAny(page, idOf, queries...)
}

// Offers lists every offer of a case, oldest first: the negotiation history.
func (s *Service) Offers(ctx context.Context, a Actor, id string) ([]models.Offer, error) {
	if _, err := s.GetDispute(ctx, a, id); err != nil {
		return nil, err
	}
	out := []models.Offer{}
	err := s.db.WithContext(ctx).Where("dispute_id = ?", id).Order("id").Find(&out).Error
	return out, err
}

// RegisterArbitrator records a caller whose token carries the arbitrator
// role, making it eligible for cases. Cheap after the first call.
func (s *Service) RegisterArbitrator(ctx context.Context, a Actor) error {
	if !slices.Contains(a.roleRelations(), policies.Arbitrator) {
		return nil
	}
	if _, seen := s.arbitrators.Load(a.ID); seen {
		return nil
	}
	err := s.db.WithContext(ctx).Clauses(onConflictDoNothing).
		Create(&models.Arbitrator{UserID: a.ID, CreatedAt: s.now()}).Error
	if err == nil {
		s.arbitrators.Store(a.ID, true)
	}
	return err
}
