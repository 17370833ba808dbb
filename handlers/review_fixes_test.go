package handlers_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
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

// A receiver that redirects has not received the event: the delivery fails
// and is retried, and the signature is not sent on to the other URL.
func TestWebhookRedirectIsAFailure(t *testing.T) {
	h := newHarness(t)
	var gets atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hook" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		gets.Add(1)
	}))
	defer srv.Close()
	h.post(h.as("sup"), "/v1/webhooks", map[string]any{"url": srv.URL + "/hook", "events": []string{"*"}}).ok(201, nil)
	h.project()
	if n, err := h.worker().Run(context.Background()); n != 0 || err != nil {
		t.Fatalf("%d, %v", n, err) // projects emit no events
	}
	h.heldMilestone(h.project().ID, 10)
	h.worker().Run(context.Background())
	var pending workflows.Page[models.Delivery]
	h.get(h.as("sup"), "/v1/webhooks/deliveries?status=pending").ok(200, &pending)
	if gets.Load() != 0 || len(pending.Items) != 2 || !strings.Contains(pending.Items[0].LastError, "redirect") {
		t.Fatalf("followed %d redirects; pending %+v", gets.Load(), pending.Items)
	}
}

// Support and arbitrators read a project's conversation only while a case is open.
func TestChatAccessEndsWithTheCase(t *testing.T) {
	h := newHarness(t)
	p := h.project()
	conv := h.conversation(p.ID)
	d := h.file(fl, 100, h.heldMilestone(p.ID, 1000).ID)
	h.get(h.as("sup"), "/v1/conversations/"+conv.ID).ok(200, nil)
	h.act(fl, "/v1/disputes/"+d.ID+"/withdraw", nil)
	h.get(h.as("sup"), "/v1/conversations/"+conv.ID).problem(404, "not_found")
}

// An upload cut off half way is the client's broken request, not a 500.
func TestTruncatedUploadIs400(t *testing.T) {
	h := newHarness(t)
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, _ := w.CreateFormFile("file", "a.pdf")
	part.Write(append(append([]byte{}, pdf...), bytes.Repeat([]byte("x"), 2000)...))
	cut := buf.String()[:buf.Len()/2] // no closing boundary
	h.unchanged(func() {
		h.do(req{method: "POST", path: "/v1/files", token: h.token(emp), body: cut, bad: true,
			header: map[string]string{"Content-Type": w.FormDataContentType()}}).problem(400, "malformed_multipart")
	})
}

func TestDisabledWebhookCanBeEnabled(t *testing.T) {
	h := newHarness(t)
	sup := h.as("sup")
	var hook workflows.WebhookView
	h.post(sup, "/v1/webhooks", map[string]any{"url": "https://ledger.example/hooks", "events": []string{"*"}}).ok(201, &hook)
	h.post(sup, "/v1/webhooks/"+hook.ID+"/disable", nil).ok(200, &hook)
	if hook.Active {
		t.Fatal("still active")
	}
	h.post(sup, "/v1/webhooks/"+hook.ID+"/enable", nil).ok(200, &hook)
	if !hook.Active {
		t.Fatal("not enabled")
	}
	h.post(h.token(emp), "/v1/webhooks/"+hook.ID+"/enable", nil).problem(404, "not_found")
	h.post("", "/v1/webhooks/"+hook.ID+"/enable", nil).problem(401, "unauthorized")
}
