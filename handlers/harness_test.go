package handlers_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	disputed "github.com/disputed/disputed"
	"github.com/disputed/disputed/handlers"
	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/models/dbtest"
	"github.com/disputed/disputed/policies"
	"github.com/disputed/disputed/workflows"
)

var (
	spec       *openapi3.T
	specRouter routers.Router
	// seen records operationId -> statuses answered, to check at the end
	// that every operation was tested for more than its happy path.
	seen   = map[string]map[int]bool{}
	seenMu sync.Mutex
)

func TestMain(m *testing.M) {
	time.Local = time.UTC
	for _, ct := range []string{"application/yaml", "application/pdf", "image/png", "text/plain", "text/html"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
	var err error
	spec, err = openapi3.NewLoader().LoadFromData(disputed.OpenAPI)
	if err == nil {
		err = spec.Validate(context.Background())
	}
	if err == nil {
		specRouter, err = gorillamux.NewRouter(spec)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "openapi.yaml:", err)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" {
		code = checkCoverage()
	}
	os.Exit(code)
}

// checkCoverage fails the run when an authenticated operation was never
// answered with 401 and with another 4xx besides.
func checkCoverage() int {
	code := 0
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Security != nil && len(*op.Security) == 0 {
				continue // public
			}
			st := seen[op.OperationID]
			other := false
			for s := range st {
				if s >= 400 && s < 500 && s != 401 {
					other = true
				}
			}
			if !st[401] || !other {
				fmt.Fprintf(os.Stderr, "coverage: %s %s (%s) lacks a 401 or another 4xx test; saw %v\n", method, path, op.OperationID, st)
				code = 1
			}
		}
	}
	return code
}

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testMaxUpload is the upload cap in tests: small, to test it cheaply.
const testMaxUpload = 64 << 10

type harness struct {
	t     *testing.T
	db    *models.DB
	svc   *workflows.Service
	e     *echo.Echo
	key   ed25519.PrivateKey
	clock *clock
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	db := dbtest.New(t)
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	v, err := handlers.NewKeyVerifier(pub)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	svc := workflows.New(db, authz, workflows.Options{
		Rules: workflows.DefaultRules(), Now: clk.Now,
		Files: models.NewDiskStore(t.TempDir()), MaxUpload: testMaxUpload,
	})
	e, err := handlers.New(handlers.Config{
		Service: svc, Verifier: v, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Ready: db.Ping, OpenAPI: disputed.OpenAPI, BodyLimit: "1M", Metrics: handlers.NewMetrics(svc),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, db: db, svc: svc, e: e, key: priv, clock: clk}
}

// with returns the harness reporting to t, for subtests.
func (h *harness) with(t *testing.T) *harness {
	c := *h
	c.t = t
	return &c
}

// token mints a valid token for sub with roles.
func (h *harness) token(sub string, roles ...string) string {
	return h.sign(jwt.SigningMethodEdDSA, h.key, handlers.Claims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: sub, ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))},
		Roles:            roles,
	})
}

func (h *harness) sign(m jwt.SigningMethod, key any, claims jwt.Claims) string {
	s, err := jwt.NewWithClaims(m, claims).SignedString(key)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

// req is one HTTP call. Body is JSON-encoded unless it is a string, sent raw.
type req struct {
	method, path, token string
	body                any
	header              map[string]string
	// bad marks a request that breaks the contract on purpose: only the
	// response is checked against openapi.yaml.
	bad bool
}

type resp struct {
	t      *testing.T
	Status int
	Header http.Header
	Body   []byte
}

func (r *resp) decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// problem asserts a problem+json answer with status and code.
func (r *resp) problem(status int, code string) handlers.Problem {
	r.t.Helper()
	var p handlers.Problem
	if r.Status != status {
		r.t.Fatalf("status %d, want %d (%s); body %s", r.Status, status, code, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		r.t.Fatalf("content type %q, want application/problem+json", ct)
	}
	r.decode(&p)
	if p.Code != code || p.Status != status || p.Type != "urn:disputed:problem:"+code {
		r.t.Fatalf("problem %+v, want code %s", p, code)
	}
	return p
}

// ok asserts status and decodes the body into v (if not nil).
func (r *resp) ok(status int, v any) {
	r.t.Helper()
	if r.Status != status {
		r.t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	if v != nil {
		r.decode(v)
	}
}

func (h *harness) do(q req) *resp {
	h.t.Helper()
	var body []byte
	switch b := q.body.(type) {
	case nil:
	case string:
		body = []byte(b)
	default:
		var err error
		if body, err = json.Marshal(b); err != nil {
			h.t.Fatal(err)
		}
	}
	newReq := func() *http.Request {
		r := httptest.NewRequest(q.method, q.path, bytes.NewReader(body))
		if body != nil {
			r.Header.Set("Content-Type", "application/json")
		}
		if q.token != "" {
			r.Header.Set("Authorization", "Bearer "+q.token)
		}
		for k, v := range q.header {
			r.Header.Set(k, v)
		}
		return r
	}
	httpReq := newReq()
	route, params, routeErr := specRouter.FindRoute(httpReq)
	in := &openapi3filter.RequestValidationInput{Request: httpReq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if !q.bad {
		if routeErr != nil {
			h.t.Fatalf("%s %s is not in openapi.yaml: %v", q.method, q.path, routeErr)
		}
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			h.t.Fatalf("request breaks openapi.yaml: %v", err)
		}
	}
	rec := httptest.NewRecorder()
	h.e.ServeHTTP(rec, newReq())
	r := &resp{t: h.t, Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if routeErr == nil {
		seenMu.Lock()
		if seen[route.Operation.OperationID] == nil {
			seen[route.Operation.OperationID] = map[int]bool{}
		}
		seen[route.Operation.OperationID][r.Status] = true
		seenMu.Unlock()
		err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: r.Status, Header: r.Header, Body: io.NopCloser(bytes.NewReader(r.Body)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true},
		})
		if err != nil {
			h.t.Fatalf("%s %s: response breaks openapi.yaml: %v\nbody: %s", q.method, q.path, err, r.Body)
		}
	}
	return r
}

func (h *harness) get(token, path string) *resp {
	h.t.Helper()
	return h.do(req{method: "GET", path: path, token: token})
}
func (h *harness) post(token, path string, body any) *resp {
	h.t.Helper()
	return h.do(req{method: "POST", path: path, token: token, body: body})
}

// snapshot dumps every row of the tables a request may change, to prove a
// refused request changed nothing.
func (h *harness) snapshot() string {
	h.t.Helper()
	var out strings.Builder
	for _, table := range []string{"projects", "milestones", "ledger_instructions", "ledger_entries", "idempotency_keys",
		"disputes", "offers", "dispute_events", "conversations", "participants", "messages", "message_files", "files",
		"evidence", "reports", "sanctions"} {
		var rows []map[string]any
		if err := h.db.Table(table).Find(&rows).Error; err != nil {
			h.t.Fatal(err)
		}
		lines := make([]string, len(rows))
		for i, r := range rows {
			lines[i] = fmt.Sprint(r)
		}
		sort.Strings(lines)
		fmt.Fprintf(&out, "%s:%s\n", table, strings.Join(lines, "\n"))
	}
	return out.String()
}

// unchanged runs f and fails if it changed any row.
func (h *harness) unchanged(f func()) {
	h.t.Helper()
	before := h.snapshot()
	f()
	if after := h.snapshot(); after != before {
		h.t.Fatalf("a refused request changed the database:\nbefore %s\nafter %s", before, after)
	}
}

// runLedger lets the embedded ledger execute everything pending.
func (h *harness) runLedger() {
	h.t.Helper()
	for {
		n, err := h.svc.RunEmbeddedLedger(context.Background(), 100)
		if err != nil {
			h.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}
