package handlers_test

import (
	"context"
	"testing"

	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/policies"
	"github.com/disputed/disputed/workflows"
)

// An external ledger reads the feed, acks and rejects; milestone amounts
// move only on ack, and a rejection leaves the money held and visible.
func TestExternalLedgerFeedAckReject(t *testing.T) {
	h := newHarness(t)
	led := h.token("ledger-1", "ledger")
	p := h.project()
	var m milestoneJSON
	h.post(h.token(emp), "/v1/projects/"+p.ID+"/milestones", map[string]any{"description": "d", "amount": 900}).ok(201, &m)

	var feed workflows.Feed
	h.get(led, "/v1/ledger/instructions").ok(200, &feed)
	if len(feed.Items) != 1 || feed.Items[0].Kind != "hold" || feed.Items[0].Amount != 900 {
		t.Fatalf("feed %+v", feed)
	}
	hold := feed.Items[0]
	var ins models.Instruction
	h.post(led, "/v1/ledger/instructions/"+hold.ID+"/ack", map[string]any{"reference": "L-1"}).ok(200, &ins)
	if ins.Status != "acked" || ins.Reference != "L-1" || ins.SettledAt == nil {
		t.Fatalf("ack %+v", ins)
	}
	// A second ack is harmless: same answer, nothing changes.
	h.unchanged(func() {
		h.post(led, "/v1/ledger/instructions/"+hold.ID+"/ack", map[string]any{"reference": "L-1"}).ok(200, &ins)
	})
	if got := h.milestone(m.ID); got.State != "held" {
		t.Fatalf("after hold ack %+v", got)
	}

	h.post(h.token(emp), "/v1/milestones/"+m.ID+"/release", map[string]any{"amount": 400}).ok(200, nil)
	h.get(led, "/v1/ledger/instructions?after="+feed.NextAfter).ok(200, &feed)
	if len(feed.Items) != 1 || feed.Items[0].Kind != "release" || feed.Items[0].Seq <= hold.Seq {
		t.Fatalf("feed after cursor %+v", feed)
	}
	rel := feed.Items[0]
	h.post(led, "/v1/ledger/instructions/"+rel.ID+"/reject", map[string]any{"reason": "account frozen"}).ok(200, &ins)
	got := h.milestone(m.ID)
	if got.State != "held" || got.PendingAmount != 0 || got.ReleasedAmount != 0 || got.Available() != 900 {
		t.Fatalf("after reject %+v", got)
	}
	if last := got.Instructions[len(got.Instructions)-1]; last.Status != "rejected" || last.Reason != "account frozen" {
		t.Fatalf("rejected instruction not visible on the milestone: %+v", last)
	}
	h.unchanged(func() {
		h.post(led, "/v1/ledger/instructions/"+rel.ID+"/ack", map[string]any{"reference": "late"}).problem(409, "instruction_already_rejected")
		h.post(led, "/v1/ledger/instructions/"+hold.ID+"/reject", map[string]any{"reason": "x"}).problem(409, "instruction_already_acked")
	})
	// The employer can try again after a rejection.
	h.post(h.token(emp), "/v1/milestones/"+m.ID+"/release", map[string]any{"amount": 900}).ok(200, nil)
	h.get(led, "/v1/ledger/instructions?after="+feed.NextAfter).ok(200, &feed)
	h.post(led, "/v1/ledger/instructions/"+feed.Items[0].ID+"/ack", map[string]any{"reference": "L-3"}).ok(200, nil)
	if got := h.milestone(m.ID); got.State != "released" || got.ReleasedAmount != 900 {
		t.Fatalf("after retry %+v", got)
	}
	// An empty page keeps the cursor.
	var empty workflows.Feed
	h.get(led, "/v1/ledger/instructions?limit=5&after="+feed.NextAfter).ok(200, &empty)
	if len(empty.Items) != 0 || empty.NextAfter != feed.NextAfter {
		t.Fatalf("empty page %+v", empty)
	}
}

func TestRejectedHoldIsVisible(t *testing.T) {
	h := newHarness(t)
	led := h.token("ledger-1", "ledger")
	var m milestoneJSON
	h.post(h.token(emp), "/v1/projects/"+h.project().ID+"/milestones", map[string]any{"description": "d", "amount": 900}).ok(201, &m)
	h.post(led, "/v1/ledger/instructions/"+m.Instructions[0].ID+"/reject", map[string]any{"reason": "insufficient funds"}).ok(200, nil)
	if got := h.milestone(m.ID); got.State != "hold_rejected" || got.Instructions[0].Reason != "insufficient funds" {
		t.Fatalf("%+v", got)
	}
	h.post(h.token(emp), "/v1/milestones/"+m.ID+"/release", nil).problem(409, "milestone_not_held")
}

func TestLedgerEndpointsRefuseOthers(t *testing.T) {
	h := newHarness(t)
	var m milestoneJSON
	h.post(h.token(emp), "/v1/projects/"+h.project().ID+"/milestones", map[string]any{"description": "d", "amount": 900}).ok(201, &m)
	id := m.Instructions[0].ID
	led := h.token("ledger-1", "ledger")
	sup := h.token("sup", "support")
	h.unchanged(func() {
		for _, action := range []string{"ack", "reject"} {
			path := "/v1/ledger/instructions/" + id + "/" + action
			body := map[string]any{"reference": "r", "reason": "r"}
			if action == "ack" {
				delete(body, "reason")
			} else {
				delete(body, "reference")
			}
			h.post(h.token(emp), path, body).problem(404, "not_found")
			h.post(sup, path, body).problem(403, "forbidden")
			h.post("", path, body).problem(401, "unauthorized")
			h.post(led, "/v1/ledger/instructions/ins_nope/"+action, body).problem(404, "not_found")
			h.do(req{method: "POST", path: path, token: led, body: map[string]any{}, bad: true}).problem(422, "validation_failed")
			h.do(req{method: "POST", path: path, token: led, body: map[string]any{"reference": "r", "reason": "r"}, bad: true}).problem(422, "validation_failed")
		}
	})
	h.get(h.token(emp), "/v1/ledger/instructions").problem(404, "not_found")
	h.get("", "/v1/ledger/instructions").problem(401, "unauthorized")
	h.do(req{method: "GET", path: "/v1/ledger/instructions?after=-1", token: led, bad: true}).problem(422, "validation_failed")
	h.do(req{method: "GET", path: "/v1/ledger/instructions?after=1.x", token: led, bad: true}).problem(422, "validation_failed")
	h.do(req{method: "GET", path: "/v1/ledger/instructions?limit=201", token: led, bad: true}).problem(422, "validation_failed")
	h.get(sup, "/v1/ledger/instructions").ok(200, nil)
	h.get(h.token(emp), "/v1/ledger/balances").problem(404, "not_found")
	h.get("", "/v1/ledger/balances").problem(401, "unauthorized")
	h.get(led, "/v1/ledger/balances").ok(200, nil)
}

// With the embedded ledger on, an outside ack would settle an instruction
// without its journal entries: it is refused.
func TestEmbeddedLedgerRefusesOutsideAnswers(t *testing.T) {
	h := newHarness(t)
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	svc := workflows.New(h.db, authz, workflows.Options{Rules: workflows.DefaultRules(), EmbeddedLedger: true})
	var m milestoneJSON
	h.post(h.token(emp), "/v1/projects/"+h.project().ID+"/milestones", map[string]any{"description": "d", "amount": 5}).ok(201, &m)
	led := workflows.Actor{ID: "ledger-1", Roles: []string{"ledger"}}
	for _, answer := range []func() error{
		func() error {
			_, err := svc.AckInstruction(context.Background(), led, m.Instructions[0].ID, "x")
			return err
		},
		func() error {
			_, err := svc.RejectInstruction(context.Background(), led, m.Instructions[0].ID, "x")
			return err
		},
	} {
		if we, ok := workflows.AsError(answer()); !ok || we.Code != "ledger_embedded" {
			t.Fatalf("outside answer: %v", we)
		}
	}
}

// On PostgreSQL the feed hides instructions of transactions newer than the
// oldest one still running: a slow transaction that is about to write an
// instruction can never commit it behind a position a reader has passed.
func TestFeedWaitsForOlderTransactions(t *testing.T) {
	h := newHarness(t)
	if h.db.Dialect != models.Postgres {
		t.Skip("SQLite has one writer: seq is commit order there")
	}
	led := h.token("ledger-1", "ledger")
	p := h.project()
	slow := h.db.Begin()
	if err := slow.Exec("SELECT pg_current_xact_id()").Error; err != nil { // takes a transaction id, stays open
		t.Fatal(err)
	}
	h.post(h.token(emp), "/v1/projects/"+p.ID+"/milestones", map[string]any{"description": "d", "amount": 5}).ok(201, nil)
	var feed workflows.Feed
	h.get(led, "/v1/ledger/instructions").ok(200, &feed)
	if len(feed.Items) != 0 {
		t.Fatalf("an instruction newer than a running transaction was shown: %+v", feed.Items)
	}
	slow.Rollback()
	h.get(led, "/v1/ledger/instructions").ok(200, &feed)
	if len(feed.Items) != 1 {
		t.Fatalf("after the older transaction ended: %+v", feed.Items)
	}
}
