package handlers_test

import (
	"testing"
	"time"

	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/workflows"
)

// feed returns every instruction so far.
func (h *harness) feed() []workflows.FeedItem {
	h.t.Helper()
	var f workflows.Feed
	h.get(h.token("led", "ledger"), "/v1/ledger/instructions?limit=200").ok(200, &f)
	return f.Items
}

func lastOf(items []workflows.FeedItem, kind string) workflows.FeedItem {
	for i := len(items) - 1; i >= 0; i-- {
		if items[i].Kind == kind {
			return items[i]
		}
	}
	return workflows.FeedItem{}
}

// A verdict is final: when the ledger rejects its payout the milestone stays
// committed to it (payout_failed, not held), cannot be disputed again, and
// support retries the payout.
func TestRejectedVerdictPayoutIsRetriedNotReopened(t *testing.T) {
	h := newHarness(t)
	led, sup := h.token("led", "ledger"), h.as("sup")
	m := h.heldMilestone(h.project().ID, 1000)
	d := h.file(fl, 1000, m.ID)
	h.act(emp, "/v1/disputes/"+d.ID+"/accept", nil)
	release := lastOf(h.feed(), "release")
	h.post(led, "/v1/ledger/instructions/"+release.ID+"/reject", map[string]any{"reason": "payee account closed"}).ok(200, nil)
	got := h.milestone(m.ID)
	if got.State != "payout_failed" || got.FailedAmount != 1000 || got.Available() != 0 {
		t.Fatalf("after a rejected payout %+v", got)
	}
	h.unchanged(func() {
		h.post(h.token(emp), "/v1/disputes", map[string]any{"milestone_ids": []string{m.ID}, "reason": "other", "description": "again", "release_amount": 0}).problem(409, "milestone_not_held")
		h.post(h.token(emp), "/v1/milestones/"+m.ID+"/cancel", nil).problem(403, "forbidden")
		h.post(h.token(fl), "/v1/milestones/"+m.ID+"/cancel", nil).problem(409, "milestone_not_held")
		h.post(led, "/v1/ledger/instructions/"+release.ID+"/retry", nil).problem(403, "forbidden")
		h.post(h.token(emp), "/v1/ledger/instructions/"+release.ID+"/retry", nil).problem(404, "not_found")
		h.post("", "/v1/ledger/instructions/"+release.ID+"/retry", nil).problem(401, "unauthorized")
		h.post(sup, "/v1/ledger/instructions/"+lastOf(h.feed(), "hold").ID+"/retry", nil).problem(409, "instruction_not_rejected")
	})
	var retry models.Instruction
	h.post(sup, "/v1/ledger/instructions/"+release.ID+"/retry", nil).ok(201, &retry)
	if retry.RetryOf == nil || *retry.RetryOf != release.ID || retry.Amount != 1000 || retry.ToAccount != "user:"+fl {
		t.Fatalf("retry %+v", retry)
	}
	h.post(sup, "/v1/ledger/instructions/"+release.ID+"/retry", nil).problem(409, "instruction_already_retried")
	h.runLedger()
	if got := h.milestone(m.ID); got.State != "released" || got.ReleasedAmount != 1000 || got.FailedAmount != 0 {
		t.Fatalf("after retry %+v", got)
	}
}

// A user's own release that the ledger rejects goes back to the user, who
// acts again; support does not retry it.
func TestRejectedUserReleaseIsNotRetried(t *testing.T) {
	h := newHarness(t)
	m := h.heldMilestone(h.project().ID, 1000)
	h.post(h.token(emp), "/v1/milestones/"+m.ID+"/release", nil).ok(200, nil)
	rel := lastOf(h.feed(), "release")
	h.post(h.token("led", "ledger"), "/v1/ledger/instructions/"+rel.ID+"/reject", map[string]any{"reason": "x"}).ok(200, nil)
	h.post(h.as("sup"), "/v1/ledger/instructions/"+rel.ID+"/retry", nil).problem(409, "instruction_not_retryable")
	h.do(req{method: "POST", path: "/v1/ledger/instructions/" + rel.ID + "/retry", token: h.as("sup"), body: map[string]any{"x": 1}, bad: true}).problem(422, "validation_failed")
}

// feeWindowMissed: the freelancer paid its fee, the employer let the fee
// window pass, and the sweep has not run yet.
func feeWindowMissed(t *testing.T) (*harness, disputeJSON) {
	h := newHarness(t)
	m := h.heldMilestone(h.project().ID, 1000)
	d := h.file(emp, 0, m.ID)
	h.act(fl, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 900})
	h.act(fl, "/v1/disputes/"+d.ID+"/fee", nil)
	h.runLedger()
	h.clock.Advance(97 * time.Hour)
	return h, d
}

// Once a deadline has passed, no late action changes the outcome it decided,
// even before the background sweep has run.
func TestLateActionsMeetTheDeadline(t *testing.T) {
	t.Run("withdraw after the fee window", func(t *testing.T) {
		h, d := feeWindowMissed(t)
		if got := h.dispute(emp, d.ID); len(got.Actions) != 0 {
			t.Fatalf("actions after the deadline %v", got.Actions)
		}
		h.post(h.token(emp), "/v1/disputes/"+d.ID+"/withdraw", nil).problem(409, "invalid_transition")
		got := h.dispute(emp, d.ID)
		if got.Outcome == nil || got.Outcome.Kind != "default" || got.Outcome.ReleaseAmount != 1000 {
			t.Fatalf("the freelancer paid and must win everything: %+v", got.Outcome)
		}
	})
	t.Run("fee after the fee window", func(t *testing.T) {
		h, d := feeWindowMissed(t)
		h.post(h.token(emp), "/v1/disputes/"+d.ID+"/fee", nil).problem(409, "invalid_transition")
		if got := instructionsOf(h, d.ID); got["fee_charge"] != 500 {
			t.Fatalf("a late fee was charged: %v", got)
		}
	})
	t.Run("counter-offer after the response window", func(t *testing.T) {
		h := newHarness(t).with(t)
		m := h.heldMilestone(h.project().ID, 1000)
		d := h.file(fl, 700, m.ID)
		h.clock.Advance(15 * 24 * time.Hour)
		h.post(h.token(emp), "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 1}).problem(409, "invalid_transition")
		if got := h.dispute(emp, d.ID); got.Outcome == nil || got.Outcome.ReleaseAmount != 700 {
			t.Fatalf("%+v", got.Outcome)
		}
	})
}

// Naming a milestone of someone else's project says nothing about it.
func TestFilingDoesNotRevealForeignMilestones(t *testing.T) {
	h := newHarness(t)
	mine := h.heldMilestone(h.project().ID, 1000)
	var other projectJSON
	h.post(h.token("emp-2"), "/v1/projects", map[string]any{"title": "x", "freelancer_id": "fl-2", "currency": "USD"}).ok(201, &other)
	var theirs milestoneJSON
	h.post(h.token("emp-2"), "/v1/projects/"+other.ID+"/milestones", map[string]any{"description": "d", "amount": 5}).ok(201, &theirs)
	h.unchanged(func() {
		h.post(h.token(emp), "/v1/disputes", map[string]any{"milestone_ids": []string{mine.ID, theirs.ID}, "reason": "other", "description": "x", "release_amount": 0}).problem(404, "not_found")
		h.post(h.token(emp), "/v1/disputes", map[string]any{"milestone_ids": []string{mine.ID, "mil_nope"}, "reason": "other", "description": "x", "release_amount": 0}).problem(404, "not_found")
	})
}

// Bytes PostgreSQL cannot store are refused as bad input, not a 500.
func TestBadBytesAreRefused(t *testing.T) {
	h := newHarness(t)
	tok := h.token(emp)
	h.unchanged(func() {
		h.do(req{method: "POST", path: "/v1/projects", token: tok, bad: true,
			body: `{"title":"a\u0000b","freelancer_id":"fl-1","currency":"USD"}`}).problem(422, "validation_failed")
		h.do(req{method: "POST", path: "/v1/projects", token: tok, bad: true,
			body: "{\"title\":\"a\xffb\",\"freelancer_id\":\"fl-1\",\"currency\":\"USD\"}"}).problem(400, "malformed_json")
		h.do(req{method: "GET", path: "/v1/disputes/a%00b", token: tok, bad: true}).problem(400, "bad_request")
		h.do(req{method: "GET", path: "/v1/disputes?cursor=a%00b", token: tok, bad: true}).problem(400, "bad_request")
		h.do(req{method: "POST", path: "/v1/projects", token: tok, bad: true, header: map[string]string{"Idempotency-Key": "k\xff"},
			body: map[string]any{"title": "x", "freelancer_id": fl, "currency": "USD"}}).problem(400, "bad_request")
	})
}

// Support staff who are a party to a case act as a party there, not as support.
func TestSupportWhoIsPartyCannotAssign(t *testing.T) {
	h := newHarness(t)
	h.get(h.as(arb), "/v1/disputes").ok(200, nil)
	m := h.heldMilestone(h.project().ID, 1000)
	d := h.file(fl, 800, m.ID)
	h.act(emp, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 100})
	h.act(fl, "/v1/disputes/"+d.ID+"/fee", nil)
	h.runLedger()
	h.post(h.token(emp, "support"), "/v1/disputes/"+d.ID+"/arbitrator", map[string]any{"arbitrator_id": arb}).problem(403, "forbidden")
}
