package handlers_test

import (
	"fmt"
	"strings"
	"testing"
)

func TestCreateAndReadProject(t *testing.T) {
	h := newHarness(t)
	p := h.project()
	if p.EmployerID != emp || p.FreelancerID != fl || p.Currency != "USD" || p.ID == "" {
		t.Fatalf("project %+v", p)
	}
	for _, who := range []string{emp, fl} {
		var got projectJSON
		h.get(h.token(who), "/v1/projects/"+p.ID).ok(200, &got)
		if got.ID != p.ID {
			t.Fatalf("%s read %+v", who, got)
		}
	}
	h.get(h.token("support-1", "support"), "/v1/projects/"+p.ID).ok(200, nil)
	h.get(h.token("stranger"), "/v1/projects/"+p.ID).problem(404, "not_found")
	h.get(h.token("arb-1", "arbitrator"), "/v1/projects/"+p.ID).problem(404, "not_found")
	h.get(h.token(emp), "/v1/projects/prj_nope").problem(404, "not_found")
	h.get("", "/v1/projects/"+p.ID).problem(401, "unauthorized")
	h.unchanged(func() {
		h.post("", "/v1/projects", map[string]any{"title": "x", "freelancer_id": fl, "currency": "USD"}).problem(401, "unauthorized")
	})
}

func TestCreateProjectRejectsBadInput(t *testing.T) {
	h := newHarness(t)
	tok := h.token(emp)
	cases := []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		{"missing fields", map[string]any{}, 422, "validation_failed", "title"},
		{"bad currency", map[string]any{"title": "x", "freelancer_id": fl, "currency": "usd"}, 422, "validation_failed", "currency"},
		{"unknown currency", map[string]any{"title": "x", "freelancer_id": fl, "currency": "XYZ"}, 422, "validation_failed", "currency"},
		{"self as freelancer", map[string]any{"title": "x", "freelancer_id": emp, "currency": "USD"}, 422, "validation_failed", "freelancer_id"},
		{"unknown field", map[string]any{"title": "x", "freelancer_id": fl, "currency": "USD", "employer_id": "other"}, 422, "validation_failed", "employer_id"},
		{"wrong type", map[string]any{"title": 5, "freelancer_id": fl, "currency": "USD"}, 422, "validation_failed", "title"},
		{"malformed", `{"title":`, 400, "malformed_json", ""},
		{"trailing data", `{"title":"x","freelancer_id":"fl-1","currency":"USD"} {}`, 400, "malformed_json", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := h.with(t)
			h.unchanged(func() {
				p := h.do(req{method: "POST", path: "/v1/projects", token: tok, body: c.body, bad: true}).problem(c.status, c.code)
				if c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field) {
					t.Fatalf("errors %+v, want field %s", p.Errors, c.field)
				}
			})
		})
	}
}

func TestListProjectsPaginates(t *testing.T) {
	h := newHarness(t)
	var ids []string
	for i := 0; i < 5; i++ {
		ids = append(ids, h.project().ID)
	}
	var seen []string
	cursor := ""
	for page := 0; page < 4; page++ {
		var got struct {
			Items      []projectJSON `json:"items"`
			NextCursor *string       `json:"next_cursor"`
		}
		h.get(h.token(fl), fmt.Sprintf("/v1/projects?limit=2&cursor=%s", cursor)).ok(200, &got)
		for _, p := range got.Items {
			seen = append(seen, p.ID)
		}
		if got.NextCursor == nil {
			break
		}
		cursor = *got.NextCursor
	}
	if len(seen) != 5 || seen[0] != ids[4] || seen[4] != ids[0] {
		t.Fatalf("pages gave %v, want newest first of %v", seen, ids)
	}
	var none struct{ Items []projectJSON }
	h.get(h.token("stranger"), "/v1/projects").ok(200, &none)
	if len(none.Items) != 0 {
		t.Fatalf("stranger sees %v", none.Items)
	}
	h.do(req{method: "GET", path: "/v1/projects?limit=0", token: h.token(fl), bad: true}).problem(422, "validation_failed")
	h.do(req{method: "GET", path: "/v1/projects?limit=abc", token: h.token(fl), bad: true}).problem(422, "validation_failed")
	h.do(req{method: "GET", path: "/v1/projects?cursor=" + strings.Repeat("x", 65), token: h.token(fl), bad: true}).problem(422, "validation_failed")
	h.get("", "/v1/projects").problem(401, "unauthorized")
}
