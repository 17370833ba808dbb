package handlers_test

import (
	"bytes"
	"testing"
)

func TestIdempotencyKeyReplaysFirstAnswer(t *testing.T) {
	h := newHarness(t)
	p := h.project()
	path := "/v1/projects/" + p.ID + "/milestones"
	key := map[string]string{"Idempotency-Key": "k-1"}
	first := h.do(req{method: "POST", path: path, token: h.token(emp), body: map[string]any{"description": "d", "amount": 100}, header: key})
	first.ok(201, nil)
	var replay *resp
	h.unchanged(func() {
		replay = h.do(req{method: "POST", path: path, token: h.token(emp), body: map[string]any{"description": "d", "amount": 100}, header: key})
	})
	if replay.Status != 201 || !bytes.Equal(replay.Body, first.Body) || replay.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay %d %s, want %d %s", replay.Status, replay.Body, first.Status, first.Body)
	}
	h.unchanged(func() {
		h.do(req{method: "POST", path: path, token: h.token(emp), body: map[string]any{"description": "d", "amount": 101}, header: key}).
			problem(422, "idempotency_key_reused")
		h.do(req{method: "POST", path: "/v1/projects", token: h.token(emp), body: map[string]any{"title": "x", "freelancer_id": fl, "currency": "USD"}, header: key}).
			problem(422, "idempotency_key_reused")
	})
	// Keys are scoped to the caller: another user's k-1 is a new request.
	h.do(req{method: "POST", path: "/v1/projects", token: h.token("emp-2"), body: map[string]any{"title": "x", "freelancer_id": fl, "currency": "USD"}, header: key}).ok(201, nil)

	var list struct{ Items []milestoneJSON }
	h.get(h.token(emp), path).ok(200, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d milestones, want 1", len(list.Items))
	}
	// A refused request stores no key: the same key may then succeed.
	h.post(h.token(emp), "/v1/milestones/"+list.Items[0].ID+"/release", nil).problem(409, "milestone_not_held")
	bad := req{method: "POST", path: "/v1/milestones/" + list.Items[0].ID + "/release", token: h.token(emp), header: map[string]string{"Idempotency-Key": "k-2"}}
	h.do(bad).problem(409, "milestone_not_held")
	h.runLedger()
	h.do(bad).ok(200, nil)
	h.do(req{method: "POST", path: path, token: h.token(emp), body: map[string]any{"description": "d", "amount": 1}, bad: true,
		header: map[string]string{"Idempotency-Key": string(bytes.Repeat([]byte("k"), 256))}}).problem(422, "validation_failed")
}
