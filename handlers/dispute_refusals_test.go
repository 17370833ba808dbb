package handlers_test

import (
	"strings"
	"testing"
)

func TestFileDisputeRefusals(t *testing.T) {
	h := newHarness(t)
	p := h.project()
	m := h.heldMilestone(p.ID, 1000)
	other := h.project() // same parties, another project
	m2 := h.heldMilestone(other.ID, 1000)
	var pending milestoneJSON
	h.post(h.token(emp), "/v1/projects/"+p.ID+"/milestones", map[string]any{"description": "d", "amount": 50}).ok(201, &pending)
	body := func(release any, ids ...string) map[string]any {
		return map[string]any{"milestone_ids": ids, "reason": "quality_issue", "description": "d", "release_amount": release}
	}
	cases := []struct {
		name, token string
		body        any
		status      int
		code        string
	}{
		{"no token", "", body(0, m.ID), 401, "unauthorized"},
		{"stranger", h.token("stranger"), body(0, m.ID), 404, "not_found"},
		{"support", h.token("sup", "support"), body(0, m.ID), 403, "forbidden"},
		{"unknown milestone", h.token(emp), body(0, "mil_nope"), 404, "not_found"},
		{"two projects", h.token(emp), body(0, m.ID, m2.ID), 422, "milestones_span_projects"},
		{"repeated milestone", h.token(emp), body(0, m.ID, m.ID), 422, "validation_failed"},
		{"over total", h.token(emp), body(1001, m.ID), 422, "amount_exceeds_disputed"},
		{"negative", h.token(emp), body(-1, m.ID), 422, "validation_failed"},
		{"no amount", h.token(emp), map[string]any{"milestone_ids": []string{m.ID}, "reason": "other", "description": "d"}, 422, "validation_failed"},
		{"bad reason", h.token(emp), map[string]any{"milestone_ids": []string{m.ID}, "reason": "angry", "description": "d", "release_amount": 0}, 422, "validation_failed"},
		{"no milestones", h.token(emp), body(0), 422, "validation_failed"},
		{"hold not confirmed", h.token(emp), body(0, pending.ID), 409, "milestone_not_held"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := h.with(t)
			h.unchanged(func() {
				h.do(req{method: "POST", path: "/v1/disputes", token: c.token, body: c.body, bad: true}).problem(c.status, c.code)
			})
		})
	}
	h.file(fl, 500, m.ID)
	h.unchanged(func() {
		h.post(h.token(emp), "/v1/disputes", body(0, m.ID)).problem(409, "milestone_disputed")
	})
	h.post(h.token(emp), "/v1/milestones/"+m2.ID+"/release", map[string]any{"amount": 10}).ok(200, nil)
	h.unchanged(func() {
		h.post(h.token(emp), "/v1/disputes", body(0, m2.ID)).problem(409, "milestone_has_pending_instruction")
	})
}

// Every dispute command refuses callers without a token (401), strangers
// and unassigned arbitrators (404), the wrong party (403), bad input (422)
// and the wrong stage (409), and changes nothing when it does.
func TestDisputeCommandRefusals(t *testing.T) {
	h := newHarness(t)
	h.get(h.as(arb), "/v1/disputes").ok(200, nil)
	m := h.heldMilestone(h.project().ID, 1000)
	d := h.file(fl, 800, m.ID) // awaiting_response; employer responds
	claim := d.Offers.Freelancer.ID
	base := "/v1/disputes/" + d.ID
	stranger, sup, otherArb := h.token("stranger"), h.token("sup", "support"), h.token("arb-2", "arbitrator")
	cases := []struct {
		name, token, path string
		body              any
		status            int
		code              string
	}{
		{"accept: no token", "", base + "/accept", nil, 401, "unauthorized"},
		{"accept: stranger", stranger, base + "/accept", nil, 404, "not_found"},
		{"accept: claimant", h.token(fl), base + "/accept", nil, 403, "forbidden"},
		{"accept: support", sup, base + "/accept", nil, 403, "forbidden"},
		{"accept: body", h.token(emp), base + "/accept", map[string]any{"x": 1}, 422, "validation_failed"},
		{"offer: no token", "", base + "/offers", map[string]any{"release_amount": 1}, 401, "unauthorized"},
		{"offer: stranger", stranger, base + "/offers", map[string]any{"release_amount": 1}, 404, "not_found"},
		{"offer: unassigned arbitrator", otherArb, base + "/offers", map[string]any{"release_amount": 1}, 404, "not_found"},
		{"offer: support", sup, base + "/offers", map[string]any{"release_amount": 1}, 403, "forbidden"},
		{"offer: claimant in stage 1", h.token(fl), base + "/offers", map[string]any{"release_amount": 1}, 409, "invalid_transition"},
		{"offer: over total", h.token(emp), base + "/offers", map[string]any{"release_amount": 1001}, 422, "amount_exceeds_disputed"},
		{"offer: negative", h.token(emp), base + "/offers", map[string]any{"release_amount": -1}, 422, "validation_failed"},
		{"offer: missing amount", h.token(emp), base + "/offers", map[string]any{"note": "x"}, 422, "validation_failed"},
		{"offer: unknown dispute", h.token(emp), "/v1/disputes/dsp_nope/offers", map[string]any{"release_amount": 1}, 404, "not_found"},
		{"accept offer: no token", "", base + "/offers/" + claim + "/accept", nil, 401, "unauthorized"},
		{"accept offer: stranger", stranger, base + "/offers/" + claim + "/accept", nil, 404, "not_found"},
		{"accept offer: stage 1", h.token(emp), base + "/offers/" + claim + "/accept", nil, 409, "invalid_transition"},
		{"reject offer: no token", "", base + "/offers/" + claim + "/reject", nil, 401, "unauthorized"},
		{"reject offer: stranger", stranger, base + "/offers/" + claim + "/reject", nil, 404, "not_found"},
		{"reject offer: stage 1", h.token(emp), base + "/offers/" + claim + "/reject", nil, 409, "invalid_transition"},
		{"fee: no token", "", base + "/fee", nil, 401, "unauthorized"},
		{"fee: stranger", stranger, base + "/fee", nil, 404, "not_found"},
		{"fee: support", sup, base + "/fee", nil, 403, "forbidden"},
		{"fee: stage 1", h.token(emp), base + "/fee", nil, 409, "invalid_transition"},
		{"withdraw: no token", "", base + "/withdraw", nil, 401, "unauthorized"},
		{"withdraw: stranger", stranger, base + "/withdraw", nil, 404, "not_found"},
		{"withdraw: respondent", h.token(emp), base + "/withdraw", nil, 403, "forbidden"},
		{"assign: no token", "", base + "/arbitrator", map[string]any{"arbitrator_id": arb}, 401, "unauthorized"},
		{"assign: stranger", stranger, base + "/arbitrator", map[string]any{"arbitrator_id": arb}, 404, "not_found"},
		{"assign: party", h.token(emp), base + "/arbitrator", map[string]any{"arbitrator_id": arb}, 403, "forbidden"},
		{"assign: stage 1", sup, base + "/arbitrator", map[string]any{"arbitrator_id": arb}, 409, "invalid_transition"},
		{"assign: missing id", sup, base + "/arbitrator", map[string]any{}, 422, "validation_failed"},
		{"decide: no token", "", base + "/decision", map[string]any{"release_amount": 1, "rationale": "r", "fee_refund": "both"}, 401, "unauthorized"},
		{"decide: stranger", stranger, base + "/decision", map[string]any{"release_amount": 1, "rationale": "r", "fee_refund": "both"}, 404, "not_found"},
		{"decide: party", h.token(emp), base + "/decision", map[string]any{"release_amount": 1, "rationale": "r", "fee_refund": "both"}, 403, "forbidden"},
		{"decide: bad refund", h.token(emp), base + "/decision", map[string]any{"release_amount": 1, "rationale": "r", "fee_refund": "all"}, 422, "validation_failed"},
		{"decide: no rationale", h.token(emp), base + "/decision", map[string]any{"release_amount": 1, "fee_refund": "both"}, 422, "validation_failed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := h.with(t)
			h.unchanged(func() {
				h.do(req{method: "POST", path: c.path, token: c.token, body: c.body, bad: true}).problem(c.status, c.code)
			})
		})
	}
	for _, path := range []string{base, base + "/offers", base + "/events", base + "/events/verify"} {
		h.get("", path).problem(401, "unauthorized")
		h.get(stranger, path).problem(404, "not_found")
		h.get(otherArb, path).problem(404, "not_found")
		h.get(sup, path).ok(200, nil)
		h.get(h.token(emp), strings.Replace(path, d.ID, "dsp_nope", 1)).problem(404, "not_found")
	}
}

func TestArbitratorAssignmentRules(t *testing.T) {
	h := newHarness(t)
	m := h.heldMilestone(h.project().ID, 1000)
	d := h.file(fl, 800, m.ID)
	h.act(emp, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 100})
	h.act(fl, "/v1/disputes/"+d.ID+"/fee", nil)
	h.runLedger()
	sup := h.token("sup", "support")
	// A party, even one holding the arbitrator role, can never arbitrate.
	h.get(h.token(emp, "arbitrator"), "/v1/disputes").ok(200, nil)
	h.unchanged(func() {
		h.post(sup, "/v1/disputes/"+d.ID+"/arbitrator", map[string]any{"arbitrator_id": emp}).problem(422, "arbitrator_is_party")
		h.post(sup, "/v1/disputes/"+d.ID+"/arbitrator", map[string]any{"arbitrator_id": "nobody"}).problem(422, "not_an_arbitrator")
	})
	h.get(h.as(arb), "/v1/disputes").ok(200, nil)
	d = h.act("sup", "/v1/disputes/"+d.ID+"/arbitrator", map[string]any{"arbitrator_id": arb})
	if d.ArbitratorID == nil || *d.ArbitratorID != arb || d.Stage != "final_offers" {
		t.Fatalf("%+v", d)
	}
	// Assigned before arbitration: it stays when the case arrives there.
	h.act(emp, "/v1/disputes/"+d.ID+"/fee", nil)
	h.runLedger()
	if d = h.dispute(arb, d.ID); d.Stage != "arbitration" || *d.ArbitratorID != arb {
		t.Fatalf("%+v", d)
	}
}

// With no arbitrator known, the case waits in arbitration for support.
func TestNoArbitratorKnownLeavesCaseForSupport(t *testing.T) {
	h := newHarness(t)
	m := h.heldMilestone(h.project().ID, 1000)
	d := h.file(emp, 0, m.ID)
	h.act(fl, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 900})
	h.act(fl, "/v1/disputes/"+d.ID+"/fee", nil)
	h.act(emp, "/v1/disputes/"+d.ID+"/fee", nil)
	h.runLedger()
	d = h.dispute(emp, d.ID)
	if d.Stage != "arbitration" || d.ArbitratorID != nil {
		t.Fatalf("%+v", d)
	}
	if got := h.dispute("sup", d.ID).Actions; len(got) != 1 || got[0] != "assign_arbitrator" {
		t.Fatalf("support actions %v", got)
	}
}
