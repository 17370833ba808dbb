package handlers_test

import (
	"strings"
	"testing"
)

func TestEdgeErrorsAreProblems(t *testing.T) {
	h := newHarness(t)
	tok := h.token(emp)
	p := h.project()
	h.unchanged(func() {
		h.do(req{method: "GET", path: "/v1/nothing-here", token: tok, bad: true}).problem(404, "route_not_found")
		h.do(req{method: "GET", path: "/nothing", bad: true}).problem(404, "route_not_found")
		h.do(req{method: "DELETE", path: "/v1/projects/" + p.ID, token: tok, bad: true}).problem(405, "method_not_allowed")
		big := `{"title":"` + strings.Repeat("x", 1<<20) + `","freelancer_id":"fl-1","currency":"USD"}`
		h.do(req{method: "POST", path: "/v1/projects", token: tok, body: big, bad: true}).problem(413, "body_too_large")
		h.do(req{method: "POST", path: "/v1/projects", token: tok, body: `title=x`, bad: true,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}).problem(415, "unsupported_media_type")
	})
}

func TestHealthAndSpec(t *testing.T) {
	h := newHarness(t)
	h.get("", "/healthz").ok(200, nil)
	h.get("", "/readyz").ok(200, nil)
	if d := h.get("", "/docs"); d.Status != 200 || !strings.Contains(string(d.Body), "/v1/disputes/{id}/decision") {
		t.Fatalf("docs %d", d.Status)
	}
	r := h.get("", "/openapi.yaml")
	if r.Status != 200 || !strings.HasPrefix(string(r.Body), "openapi: 3") {
		t.Fatalf("spec %d %.40s", r.Status, r.Body)
	}
	h.do(req{method: "POST", path: "/v1/projects", token: h.token(emp), body: map[string]any{}, bad: true}) // a 422 to count
	m := h.get("", "/metrics")
	for _, want := range []string{
		`disputed_http_request_duration_seconds_count{method="POST",route="/v1/projects",status="422"} 1`,
		`disputed_disputes{stage="negotiation"} 0`, "disputed_ledger_pending_instructions 0", "disputed_deadlines_fired_total 0",
	} {
		if !strings.Contains(string(m.Body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	h.db.Close()
	h.get("", "/readyz").problem(503, "unavailable")
}

// Every route Echo serves is in openapi.yaml and every operation there is served.
func TestRoutesMatchSpec(t *testing.T) {
	h := newHarness(t)
	served := map[string]bool{}
	for _, r := range h.e.Routes() {
		if r.Method == "echo_route_any" || strings.HasSuffix(r.Path, "/*") || r.Path == "/docs/" { // an alias of /docs
			continue
		}
		served[r.Method+" "+specPath(r.Path)] = true
	}
	inSpec := map[string]bool{}
	for path, item := range spec.Paths.Map() {
		for method := range item.Operations() {
			inSpec[method+" "+path] = true
		}
	}
	for k := range served {
		if !inSpec[k] {
			t.Errorf("route %s is served but not in openapi.yaml", k)
		}
	}
	for k := range inSpec {
		if !served[k] {
			t.Errorf("operation %s is in openapi.yaml but not served", k)
		}
	}
	// A smoke check that the comparison sees real routes.
	if !served["POST /v1/projects"] {
		t.Fatal("route table not read")
	}
}

// specPath turns Echo's :param into OpenAPI's {param}.
func specPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}
