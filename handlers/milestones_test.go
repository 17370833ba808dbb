package handlers_test

import (
	"testing"

	"github.com/disputed/disputed/workflows"
)

// The walking-skeleton flow: fund, release part, the freelancer cancels the
// rest, the embedded ledger executes all three, and its journal balances.
func TestMilestoneReleaseThenCancelBalances(t *testing.T) {
	h := newHarness(t)
	p := h.project()
	var m milestoneJSON
	h.post(h.token(emp), "/v1/projects/"+p.ID+"/milestones", map[string]any{"description": "Design", "amount": 10000}).ok(201, &m)
	if m.State != "pending" || len(m.Instructions) != 1 || m.Instructions[0].Kind != "hold" {
		t.Fatalf("new milestone %+v", m)
	}
	// Nothing can move before the hold is confirmed.
	h.post(h.token(emp), "/v1/milestones/"+m.ID+"/release", nil).problem(409, "milestone_not_held")
	h.runLedger()
	if got := h.milestone(m.ID); got.State != "held" || got.Available() != 10000 {
		t.Fatalf("after hold: %+v", got)
	}

	h.post(h.token(emp), "/v1/milestones/"+m.ID+"/release", map[string]any{"amount": 6000}).ok(200, &m)
	if m.PendingAmount != 6000 || m.ReleasedAmount != 0 {
		t.Fatalf("release must wait for the ledger: %+v", m)
	}
	h.post(h.token(fl), "/v1/milestones/"+m.ID+"/cancel", nil).ok(200, &m)
	if m.PendingAmount != 10000 {
		t.Fatalf("cancel must return the 4000 still held: %+v", m)
	}
	h.runLedger()
	m = h.milestone(m.ID)
	if m.State != "split" || m.ReleasedAmount != 6000 || m.ReturnedAmount != 4000 || m.PendingAmount != 0 {
		t.Fatalf("settled milestone %+v", m)
	}
	var balances []workflows.Balance
	h.get(h.token("sup", "support"), "/v1/ledger/balances").ok(200, &balances)
	want := map[string]int64{"user:" + emp: -6000, "user:" + fl: 6000, "escrow:" + m.ID: 0}
	var sum int64
	for _, b := range balances {
		sum += b.Balance
		if b.Balance != want[b.Account] {
			t.Errorf("balance %s = %d, want %d", b.Account, b.Balance, want[b.Account])
		}
	}
	if sum != 0 || len(balances) != 3 {
		t.Fatalf("journal does not balance: %+v", balances)
	}
	h.post(h.token(fl), "/v1/milestones/"+m.ID+"/cancel", nil).problem(409, "milestone_not_held")
}

func TestReleaseEverythingByDefault(t *testing.T) {
	h := newHarness(t)
	m := h.heldMilestone(h.project().ID, 2500)
	h.post(h.token(emp), "/v1/milestones/"+m.ID+"/release", nil).ok(200, nil)
	h.runLedger()
	if m = h.milestone(m.ID); m.State != "released" || m.ReleasedAmount != 2500 {
		t.Fatalf("%+v", m)
	}
}

func TestMilestoneRulesRefuseAndChangeNothing(t *testing.T) {
	h := newHarness(t)
	p := h.project()
	m := h.heldMilestone(p.ID, 1000)
	sup := h.token("sup", "support")
	cases := []struct {
		name, token, path string
		body              any
		status            int
		code              string
	}{
		{"freelancer creates", h.token(fl), "/v1/projects/" + p.ID + "/milestones", map[string]any{"description": "x", "amount": 5}, 403, "forbidden"},
		{"support creates", sup, "/v1/projects/" + p.ID + "/milestones", map[string]any{"description": "x", "amount": 5}, 403, "forbidden"},
		{"stranger creates", h.token("stranger"), "/v1/projects/" + p.ID + "/milestones", map[string]any{"description": "x", "amount": 5}, 404, "not_found"},
		{"unknown project", h.token(emp), "/v1/projects/prj_nope/milestones", map[string]any{"description": "x", "amount": 5}, 404, "not_found"},
		{"no token", "", "/v1/projects/" + p.ID + "/milestones", map[string]any{"description": "x", "amount": 5}, 401, "unauthorized"},
		{"zero amount", h.token(emp), "/v1/projects/" + p.ID + "/milestones", map[string]any{"description": "x", "amount": 0}, 422, "validation_failed"},
		{"negative amount", h.token(emp), "/v1/projects/" + p.ID + "/milestones", map[string]any{"description": "x", "amount": -5}, 422, "validation_failed"},
		{"fractional amount", h.token(emp), "/v1/projects/" + p.ID + "/milestones", `{"description":"x","amount":1.5}`, 422, "validation_failed"},
		{"no description", h.token(emp), "/v1/projects/" + p.ID + "/milestones", map[string]any{"amount": 5}, 422, "validation_failed"},
		{"freelancer releases", h.token(fl), "/v1/milestones/" + m.ID + "/release", nil, 403, "forbidden"},
		{"support releases", sup, "/v1/milestones/" + m.ID + "/release", nil, 403, "forbidden"},
		{"stranger releases", h.token("stranger"), "/v1/milestones/" + m.ID + "/release", nil, 404, "not_found"},
		{"release too much", h.token(emp), "/v1/milestones/" + m.ID + "/release", map[string]any{"amount": 1001}, 422, "amount_exceeds_held"},
		{"release zero", h.token(emp), "/v1/milestones/" + m.ID + "/release", map[string]any{"amount": 0}, 422, "validation_failed"},
		{"release no token", "", "/v1/milestones/" + m.ID + "/release", nil, 401, "unauthorized"},
		{"release unknown", h.token(emp), "/v1/milestones/mil_nope/release", nil, 404, "not_found"},
		{"employer cancels", h.token(emp), "/v1/milestones/" + m.ID + "/cancel", nil, 403, "forbidden"},
		{"stranger cancels", h.token("stranger"), "/v1/milestones/" + m.ID + "/cancel", nil, 404, "not_found"},
		{"cancel with body", h.token(fl), "/v1/milestones/" + m.ID + "/cancel", map[string]any{"amount": 5}, 422, "validation_failed"},
		{"cancel no token", "", "/v1/milestones/" + m.ID + "/cancel", nil, 401, "unauthorized"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := h.with(t)
			h.unchanged(func() {
				h.do(req{method: "POST", path: c.path, token: c.token, body: c.body, bad: true}).problem(c.status, c.code)
			})
		})
	}
	for _, tok := range []string{h.token("stranger"), h.token("arb", "arbitrator"), h.token("led", "ledger")} {
		h.get(tok, "/v1/milestones/"+m.ID).problem(404, "not_found")
		h.get(tok, "/v1/projects/"+p.ID+"/milestones").problem(404, "not_found")
	}
	h.get("", "/v1/milestones/"+m.ID).problem(401, "unauthorized")
	h.get("", "/v1/projects/"+p.ID+"/milestones").problem(401, "unauthorized")
	h.do(req{method: "GET", path: "/v1/projects/" + p.ID + "/milestones?limit=500", token: h.token(emp), bad: true}).problem(422, "validation_failed")
	var list struct{ Items []milestoneJSON }
	h.get(h.token(fl), "/v1/projects/"+p.ID+"/milestones").ok(200, &list)
	h.get(h.token("sup", "support"), "/v1/milestones/"+m.ID).ok(200, nil)
	if len(list.Items) != 1 || list.Items[0].ID != m.ID {
		t.Fatalf("list %+v", list.Items)
	}
}

// Release more than is left after earlier releases still awaiting the ledger.
func TestPendingReleasesCountAgainstWhatIsHeld(t *testing.T) {
	h := newHarness(t)
	m := h.heldMilestone(h.project().ID, 1000)
	h.post(h.token(emp), "/v1/milestones/"+m.ID+"/release", map[string]any{"amount": 700}).ok(200, nil)
	h.unchanged(func() {
		h.post(h.token(emp), "/v1/milestones/"+m.ID+"/release", map[string]any{"amount": 301}).problem(422, "amount_exceeds_held")
	})
	h.post(h.token(emp), "/v1/milestones/"+m.ID+"/release", map[string]any{"amount": 300}).ok(200, nil)
	h.unchanged(func() {
		h.post(h.token(fl), "/v1/milestones/"+m.ID+"/cancel", nil).problem(409, "nothing_held")
	})
}
