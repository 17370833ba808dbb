package handlers_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/workflows"
)

type disputeJSON = workflows.DisputeView

const arb = "arb-1"

// as mints a token for who, with the role its name implies.
func (h *harness) as(who string) string {
	switch who {
	case arb:
		return h.token(who, "arbitrator")
	case "sup":
		return h.token(who, "support")
	}
	return h.token(who)
}

// file makes who (emp or fl) file over the milestones, proposing release.
func (h *harness) file(who string, release int64, milestoneIDs ...string) disputeJSON {
	h.t.Helper()
	var d disputeJSON
	h.post(h.token(who), "/v1/disputes", map[string]any{
		"milestone_ids": milestoneIDs, "reason": "quality_issue", "description": "not as agreed", "release_amount": release,
	}).ok(201, &d)
	return d
}

func (h *harness) dispute(who, id string) disputeJSON {
	h.t.Helper()
	var d disputeJSON
	h.get(h.as(who), "/v1/disputes/"+id).ok(200, &d)
	return d
}

func (h *harness) act(who, path string, body any) disputeJSON {
	h.t.Helper()
	var d disputeJSON
	h.post(h.as(who), path, body).ok(200, &d)
	return d
}

// settled checks what every path must end with: the ledger executed the
// verdict, each milestone's released + returned equals its amount, the
// journal balances, each instruction key is unique, and the timeline verifies.
func (h *harness) settled(d disputeJSON, wantRelease map[string]int64) {
	h.t.Helper()
	h.runLedger()
	for _, part := range d.Milestones {
		m := h.milestone(part.MilestoneID)
		if m.ReleasedAmount+m.ReturnedAmount != m.Amount || m.PendingAmount != 0 {
			h.t.Errorf("milestone %s: released %d + returned %d != amount %d (pending %d)", m.ID, m.ReleasedAmount, m.ReturnedAmount, m.Amount, m.PendingAmount)
		}
		if want, ok := wantRelease[m.ID]; ok && m.ReleasedAmount != want {
			h.t.Errorf("milestone %s released %d, want %d", m.ID, m.ReleasedAmount, want)
		}
	}
	var dup int64
	h.db.Raw("SELECT COUNT(*) FROM (SELECT idempotency_key FROM ledger_instructions GROUP BY idempotency_key HAVING COUNT(*) > 1) x").Scan(&dup)
	if dup != 0 {
		h.t.Errorf("%d duplicate instruction keys", dup)
	}
	var balances []workflows.Balance
	h.get(h.token("sup", "support"), "/v1/ledger/balances").ok(200, &balances)
	var sum int64
	for _, b := range balances {
		sum += b.Balance
	}
	if sum != 0 {
		h.t.Errorf("journal sums to %d: %+v", sum, balances)
	}
	var v workflows.Verification
	h.get(h.token(emp), "/v1/disputes/"+d.ID+"/events/verify").ok(200, &v)
	if !v.Valid || v.Events < 2 {
		h.t.Errorf("timeline %+v", v)
	}
}

func (h *harness) balance(account string) int64 {
	h.t.Helper()
	var balances []workflows.Balance
	h.get(h.token("sup", "support"), "/v1/ledger/balances").ok(200, &balances)
	for _, b := range balances {
		if b.Account == account {
			return b.Balance
		}
	}
	return 0
}

func instructionsOf(h *harness, disputeID string) map[string]int64 {
	var ins []models.Instruction
	if err := h.db.Where("dispute_id = ?", disputeID).Find(&ins).Error; err != nil {
		h.t.Fatal(err)
	}
	out := map[string]int64{}
	for _, i := range ins {
		out[i.Kind] += i.Amount
	}
	return out
}

func TestPathRespondentAcceptsClaim(t *testing.T) {
	h := newHarness(t)
	m := h.heldMilestone(h.project().ID, 1000)
	d := h.file(fl, 700, m.ID)
	if d.Stage != "awaiting_response" || d.TotalAmount != 1000 || d.ClaimantRole != "freelancer" || d.RespondentID != emp {
		t.Fatalf("filed %+v", d)
	}
	if want := h.clock.Now().Add(336 * time.Hour); d.DeadlineAt == nil || !d.DeadlineAt.Equal(want) || *d.DeadlineKind != "response" {
		t.Fatalf("an employer respondent has 14 days: %v, want %v", d.DeadlineAt, want)
	}
	if got := h.milestone(m.ID); got.State != "disputed" {
		t.Fatalf("milestone %+v", got)
	}
	h.post(h.token(emp), "/v1/milestones/"+m.ID+"/release", nil).problem(409, "milestone_disputed")
	h.post(h.token(fl), "/v1/milestones/"+m.ID+"/cancel", nil).problem(409, "milestone_disputed")
	if got := h.dispute(emp, d.ID).Actions; fmt.Sprint(got) != "[accept offer submit_evidence]" {
		t.Fatalf("respondent actions %v", got)
	}
	if got := h.dispute(fl, d.ID).Actions; fmt.Sprint(got) != "[withdraw submit_evidence]" {
		t.Fatalf("claimant actions %v", got)
	}
	h.post(h.token(fl), "/v1/disputes/"+d.ID+"/accept", nil).problem(403, "forbidden")

	d = h.act(emp, "/v1/disputes/"+d.ID+"/accept", nil)
	if d.Stage != "resolved" || d.Outcome.Kind != "accepted" || d.Outcome.ReleaseAmount != 700 || d.Outcome.ReturnAmount != 300 || len(d.Actions) != 0 {
		t.Fatalf("accepted %+v %+v", d, d.Outcome)
	}
	h.settled(d, map[string]int64{m.ID: 700})
	if got := h.milestone(m.ID).State; got != "split" {
		t.Fatalf("state %s", got)
	}
	h.post(h.token(emp), "/v1/disputes/"+d.ID+"/accept", nil).problem(409, "invalid_transition")
}

func TestPathCounterOfferThenSettle(t *testing.T) {
	h := newHarness(t)
	p := h.project()
	m1 := h.heldMilestone(p.ID, 600)
	m2 := h.heldMilestone(p.ID, 400)
	d := h.file(emp, 200, m1.ID, m2.ID)
	if want := h.clock.Now().Add(96 * time.Hour); !d.DeadlineAt.Equal(want) {
		t.Fatalf("a freelancer respondent has 4 days: %v", d.DeadlineAt)
	}
	d = h.act(fl, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 800, "note": "most was delivered"})
	if d.Stage != "negotiation" || d.DeadlineAt != nil || d.Offers.Freelancer.ReleaseAmount != 800 {
		t.Fatalf("after counter %+v", d)
	}
	d = h.act(emp, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 400})
	d = h.act(emp, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 500})
	var offers []models.Offer
	h.get(h.token(fl), "/v1/disputes/"+d.ID+"/offers").ok(200, &offers)
	if len(offers) != 4 || offers[0].Status != "replaced" || offers[2].Status != "replaced" || offers[3].Status != "open" {
		t.Fatalf("history %+v", offers)
	}
	// The employer cannot accept its own offer; a replaced offer is closed.
	h.post(h.token(emp), "/v1/disputes/"+d.ID+"/offers/"+d.Offers.Employer.ID+"/accept", nil).problem(403, "forbidden")
	h.post(h.token(fl), "/v1/disputes/"+d.ID+"/offers/"+offers[2].ID+"/accept", nil).problem(409, "offer_not_open")
	d = h.act(fl, "/v1/disputes/"+d.ID+"/offers/"+d.Offers.Employer.ID+"/accept", nil)
	if d.Outcome.Kind != "settled" || d.Outcome.ReleaseAmount != 500 || d.Outcome.ReturnAmount != 500 {
		t.Fatalf("settled %+v", d.Outcome)
	}
	// Release fills milestones in id order: m1 gets 500 of 600, m2 none.
	h.settled(d, map[string]int64{m1.ID: 500, m2.ID: 0})
	if got := h.milestone(m2.ID).State; got != "returned" {
		t.Fatalf("m2 %s", got)
	}
}

func TestPathEscalatedOtherPartyNeverPays(t *testing.T) {
	h := newHarness(t)
	m := h.heldMilestone(h.project().ID, 20000)
	d := h.file(fl, 20000, m.ID)
	d = h.act(emp, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 5000})
	if d.Fee.Amount != 1000 {
		t.Fatalf("fee on 200.00 is 5%% = 1000, got %d", d.Fee.Amount)
	}
	d = h.act(emp, "/v1/disputes/"+d.ID+"/fee", nil)
	if d.Stage != "negotiation" || d.Fee.Employer != "pending" {
		t.Fatalf("a fee counts once the ledger has it: %+v", d.Fee)
	}
	h.post(h.token(emp), "/v1/disputes/"+d.ID+"/fee", nil).problem(409, "fee_already_paid")
	h.runLedger()
	d = h.dispute(emp, d.ID)
	if d.Stage != "final_offers" || d.Fee.FirstPayer != "employer" || *d.DeadlineKind != "fee" ||
		!d.DeadlineAt.Equal(h.clock.Now().Add(96*time.Hour)) {
		t.Fatalf("escalated %+v", d)
	}
	if fmt.Sprint(h.dispute(fl, d.ID).Actions) != "[offer accept_offer reject_offer pay_fee withdraw submit_evidence]" {
		t.Fatalf("freelancer actions %v", h.dispute(fl, d.ID).Actions)
	}
	h.clock.Advance(95 * time.Hour)
	if n, _ := h.svc.RunDeadlines(t.Context()); n != 0 {
		t.Fatalf("fired %d before the deadline", n)
	}
	h.clock.Advance(2 * time.Hour)
	if n, err := h.svc.RunDeadlines(t.Context()); n != 1 || err != nil {
		t.Fatalf("fired %d, %v", n, err)
	}
	if n, _ := h.svc.RunDeadlines(t.Context()); n != 0 {
		t.Fatal("a deadline fired twice")
	}
	d = h.dispute(emp, d.ID)
	if d.Outcome.Kind != "default" || d.Outcome.ReleaseAmount != 0 || d.Outcome.ReturnAmount != 20000 || d.Outcome.FeeRefund != "employer" {
		t.Fatalf("default %+v", d.Outcome)
	}
	h.settled(d, map[string]int64{m.ID: 0})
	if got := instructionsOf(h, d.ID); got["fee_charge"] != 1000 || got["fee_refund"] != 1000 || got["return"] != 20000 {
		t.Fatalf("instructions %v", got)
	}
	if b := h.balance("fees:" + d.ID); b != 0 {
		t.Fatalf("fee account %d after refund", b)
	}
}

func TestPathArbitratorDecides6040(t *testing.T) {
	h := newHarness(t)
	h.get(h.token(arb, "arbitrator"), "/v1/disputes").ok(200, nil) // arb-1 becomes known
	m := h.heldMilestone(h.project().ID, 100000)
	d := h.file(emp, 0, m.ID)
	d = h.act(fl, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 100000})
	h.act(fl, "/v1/disputes/"+d.ID+"/fee", nil)
	h.runLedger()
	d = h.act(emp, "/v1/disputes/"+d.ID+"/fee", nil)
	h.runLedger()
	d = h.dispute(emp, d.ID)
	if d.Stage != "arbitration" || d.ArbitratorID == nil || *d.ArbitratorID != arb || d.DeadlineAt != nil {
		t.Fatalf("arbitration %+v", d)
	}
	// Evidence closed, offers closed: parties can do nothing now.
	if len(d.Actions) != 0 {
		t.Fatalf("party actions in arbitration %v", d.Actions)
	}
	h.post(h.token(emp), "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 1}).problem(409, "invalid_transition")
	h.post(h.token("arb-2", "arbitrator"), "/v1/disputes/"+d.ID+"/decision",
		map[string]any{"release_amount": 1, "rationale": "x", "fee_refund": "none"}).problem(404, "not_found")
	if fmt.Sprint(h.dispute(arb, d.ID).Actions) != "[decide]" {
		t.Fatalf("arbitrator actions %v", h.dispute(arb, d.ID).Actions)
	}
	d = h.act(arb, "/v1/disputes/"+d.ID+"/decision", map[string]any{
		"release_amount": 60000, "rationale": "60% of the work was delivered as agreed", "fee_refund": "freelancer"})
	if d.Outcome.Kind != "arbitrated" || d.Outcome.ReleaseAmount != 60000 || d.Outcome.ReturnAmount != 40000 || d.Outcome.Rationale == "" {
		t.Fatalf("decision %+v", d.Outcome)
	}
	h.settled(d, map[string]int64{m.ID: 60000})
	// 5% of 1000.00 = 50.00 each; the freelancer's comes back, the employer's is kept.
	if got := instructionsOf(h, d.ID); got["fee_charge"] != 10000 || got["fee_refund"] != 5000 {
		t.Fatalf("fees %v", got)
	}
	if b := h.balance("fees:" + d.ID); b != 5000 {
		t.Fatalf("kept fee %d", b)
	}
	h.post(h.as(arb), "/v1/disputes/"+d.ID+"/decision",
		map[string]any{"release_amount": 1, "rationale": "again", "fee_refund": "none"}).problem(409, "invalid_transition")
}

func TestPathRespondentNeverAnswers(t *testing.T) {
	h := newHarness(t)
	m := h.heldMilestone(h.project().ID, 5000)
	d := h.file(fl, 4000, m.ID)
	h.clock.Advance(335 * time.Hour)
	if n, _ := h.svc.RunDeadlines(t.Context()); n != 0 {
		t.Fatalf("fired %d early", n)
	}
	h.clock.Advance(2 * time.Hour)
	if n, err := h.svc.RunDeadlines(t.Context()); n != 1 || err != nil {
		t.Fatalf("fired %d, %v", n, err)
	}
	d = h.dispute(fl, d.ID)
	if d.Outcome.Kind != "default" || d.Outcome.ReleaseAmount != 4000 {
		t.Fatalf("%+v", d.Outcome)
	}
	h.settled(d, map[string]int64{m.ID: 4000})
	var evs []workflows.Event
	h.get(h.token(fl), "/v1/disputes/"+d.ID+"/events").ok(200, &evs)
	if evs[len(evs)-2].Kind != "deadline_passed" || evs[len(evs)-1].ActorID != "system" {
		t.Fatalf("events %+v", evs)
	}
}

func TestPathClaimantWithdrawsFeesRefunded(t *testing.T) {
	h := newHarness(t)
	m := h.heldMilestone(h.project().ID, 3000)
	d := h.file(fl, 3000, m.ID)
	h.act(emp, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 1000})
	h.act(fl, "/v1/disputes/"+d.ID+"/fee", nil)
	h.runLedger()
	if got := h.dispute(fl, d.ID); got.Stage != "final_offers" || got.Fee.Amount != 500 {
		t.Fatalf("minimum fee 500: %+v", got.Fee)
	}
	h.post(h.token(emp), "/v1/disputes/"+d.ID+"/withdraw", nil).problem(403, "forbidden")
	d = h.act(fl, "/v1/disputes/"+d.ID+"/withdraw", nil)
	if d.Stage != "withdrawn" || d.Outcome.Kind != "withdrawn" || d.Outcome.KeptInEscrow != 3000 {
		t.Fatalf("withdrawn %+v", d.Outcome)
	}
	h.runLedger()
	if got := h.milestone(m.ID); got.State != "held" || got.DisputeID != nil {
		t.Fatalf("milestone after withdrawal %+v", got)
	}
	if got := instructionsOf(h, d.ID); got["fee_refund"] != 500 || got["release"] != 0 {
		t.Fatalf("instructions %v", got)
	}
	// Held again: the employer may now release it, which closes the milestone.
	h.post(h.token(emp), "/v1/milestones/"+m.ID+"/release", nil).ok(200, nil)
	h.settled(d, map[string]int64{m.ID: 3000})
}
