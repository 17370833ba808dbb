package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/disputed/disputed/delivery"
	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/webhook"
	"github.com/disputed/disputed/workflows"
)

// receiver is a webhook endpoint that verifies signatures and can be told to fail.
type receiver struct {
	mu       sync.Mutex
	secret   []byte
	fail     bool
	events   []workflows.WebhookEvent
	rejected int
	now      func() time.Time
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := webhook.Verify(r.secret, req.Header.Get(webhook.Header), body, webhook.DefaultTolerance, r.now()); err != nil {
		r.rejected++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if r.fail {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	var ev workflows.WebhookEvent
	json.Unmarshal(body, &ev)
	r.events = append(r.events, ev)
}

func (h *harness) worker() *delivery.Worker {
	return &delivery.Worker{Service: h.svc, Client: delivery.NewClient(5 * time.Second),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Batch: 50, Lease: 30 * time.Second,
		MaxAttempts: 3, Backoff: time.Second, BackoffMax: time.Minute, Now: h.clock.Now}
}

func TestWebhooksDeliverSignedEventsRetryAndDie(t *testing.T) {
	h := newHarness(t)
	recv := &receiver{now: h.clock.Now}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	sup := h.as("sup")
	var hook workflows.WebhookView
	h.post(sup, "/v1/webhooks", map[string]any{"url": srv.URL, "events": []string{"instruction.*", "dispute.resolved"}}).ok(201, &hook)
	if len(hook.Secret) < 20 {
		t.Fatalf("no secret shown: %+v", hook)
	}
	recv.secret = []byte(hook.Secret)
	var listed []workflows.WebhookView
	h.get(sup, "/v1/webhooks").ok(200, &listed)
	if len(listed) != 1 || listed[0].Secret != "" {
		t.Fatalf("the secret must be shown once only: %+v", listed)
	}

	m := h.heldMilestone(h.project().ID, 1000) // instruction.created + instruction.acked
	d := h.file(fl, 600, m.ID)                 // dispute.filed: not subscribed
	h.act(emp, "/v1/disputes/"+d.ID+"/accept", nil)
	w := h.worker()
	if n, err := w.Run(context.Background()); err != nil || n != 5 {
		t.Fatalf("first round: %d, %v", n, err) // hold created+acked, release created, return created, resolved
	}
	types := map[string]int{}
	for _, ev := range recv.events {
		types[ev.Type]++
	}
	if types["instruction.created"] != 3 || types["instruction.acked"] != 1 || types["dispute.resolved"] != 1 || types["dispute.filed"] != 0 {
		t.Fatalf("delivered %v", types)
	}

	// The receiver goes down: retries back off, then the delivery is dead.
	recv.fail = true
	h.runLedger() // two more acks to deliver
	for attempt := 1; attempt <= 3; attempt++ {
		if n, _ := w.Run(context.Background()); n != 2 {
			t.Fatalf("attempt %d: %d deliveries tried", attempt, n)
		}
		if n, _ := w.Run(context.Background()); n != 0 {
			t.Fatal("retried before the backoff")
		}
		h.clock.Advance(time.Minute * 2)
	}
	var dead workflows.Page[models.Delivery]
	h.get(sup, "/v1/webhooks/deliveries?status=dead").ok(200, &dead)
	if len(dead.Items) != 2 || dead.Items[0].Attempts != 3 || dead.Items[0].LastError == "" {
		t.Fatalf("dead %+v", dead.Items)
	}
	// Support fixes the receiver and redelivers.
	recv.fail = false
	for _, dl := range dead.Items {
		h.post(sup, "/v1/webhooks/deliveries/"+dl.ID+"/redeliver", nil).ok(200, nil)
	}
	if n, _ := w.Run(context.Background()); n != 2 || len(recv.events) != 7 {
		t.Fatalf("redelivered %d, received %d", n, len(recv.events))
	}

	// Rotation: the new secret signs; for a day the old one does too.
	var rotated workflows.WebhookView
	h.post(sup, "/v1/webhooks/"+hook.ID+"/rotate", nil).ok(200, &rotated)
	if rotated.Secret == "" || rotated.Secret == hook.Secret {
		t.Fatalf("rotation %+v", rotated)
	}
	h.heldMilestone(h.project().ID, 10)
	if n, _ := w.Run(context.Background()); n != 2 || recv.rejected != 0 {
		t.Fatalf("with the old secret: %d sent, %d rejected", n, recv.rejected)
	}
	recv.secret = []byte(rotated.Secret)
	h.heldMilestone(h.project().ID, 10)
	if n, _ := w.Run(context.Background()); n != 2 || recv.rejected != 0 {
		t.Fatalf("with the new secret: %d sent, %d rejected", n, recv.rejected)
	}
	// Disabled: nothing more goes out.
	h.post(sup, "/v1/webhooks/"+hook.ID+"/disable", nil).ok(200, nil)
	h.heldMilestone(h.project().ID, 10)
	if n, _ := w.Run(context.Background()); n != 0 {
		t.Fatalf("%d sent to a disabled webhook", n)
	}
}

// An instance killed mid-delivery loses its lease; another delivers.
func TestExpiredLeaseIsDeliveredByAnother(t *testing.T) {
	h := newHarness(t)
	recv := &receiver{now: h.clock.Now}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	var hook workflows.WebhookView
	h.post(h.as("sup"), "/v1/webhooks", map[string]any{"url": srv.URL, "events": []string{"*"}}).ok(201, &hook)
	recv.secret = []byte(hook.Secret)
	h.project()
	h.heldMilestone(h.project().ID, 10)
	claimed, err := h.svc.ClaimDeliveries(context.Background(), 10, 30*time.Second) // then "dies"
	if err != nil || len(claimed) != 2 {
		t.Fatalf("%d, %v", len(claimed), err)
	}
	w := h.worker()
	if n, _ := w.Run(context.Background()); n != 0 {
		t.Fatal("a leased delivery was sent twice")
	}
	h.clock.Advance(31 * time.Second)
	if n, _ := w.Run(context.Background()); n != 2 {
		t.Fatalf("after the lease: %d", n)
	}
	// The dead instance's late answer changes nothing.
	if err := h.svc.FinishDelivery(context.Background(), claimed[0], nil, 3, time.Second, time.Minute); err != nil {
		t.Fatal(err)
	}
}

func TestWebhookRefusals(t *testing.T) {
	h := newHarness(t)
	sup := h.as("sup")
	var hook workflows.WebhookView
	h.post(sup, "/v1/webhooks", map[string]any{"url": "https://ledger.example/hooks", "events": []string{"*"}}).ok(201, &hook)
	emp := h.token(emp)
	h.unchanged(func() {
		for _, tok := range []string{emp, h.token("led", "ledger")} {
			h.post(tok, "/v1/webhooks", map[string]any{"url": "https://x.example", "events": []string{"*"}}).problem(404, "not_found")
			h.post(tok, "/v1/webhooks/"+hook.ID+"/disable", nil).problem(404, "not_found")
			h.post(tok, "/v1/webhooks/"+hook.ID+"/rotate", nil).problem(404, "not_found")
			h.post(tok, "/v1/webhooks/deliveries/dlv_x/redeliver", nil).problem(404, "not_found")
			h.get(tok, "/v1/webhooks").problem(404, "not_found")
			h.get(tok, "/v1/webhooks/deliveries").problem(404, "not_found")
		}
		h.post("", "/v1/webhooks", map[string]any{"url": "https://x.example", "events": []string{"*"}}).problem(401, "unauthorized")
		h.post("", "/v1/webhooks/"+hook.ID+"/disable", nil).problem(401, "unauthorized")
		h.post("", "/v1/webhooks/"+hook.ID+"/rotate", nil).problem(401, "unauthorized")
		h.post("", "/v1/webhooks/deliveries/dlv_x/redeliver", nil).problem(401, "unauthorized")
		h.get("", "/v1/webhooks").problem(401, "unauthorized")
		h.get("", "/v1/webhooks/deliveries").problem(401, "unauthorized")
		h.do(req{method: "POST", path: "/v1/webhooks", token: sup, body: map[string]any{"url": "ftp://x.example", "events": []string{"*"}}, bad: true}).problem(422, "validation_failed")
		h.do(req{method: "POST", path: "/v1/webhooks", token: sup, body: map[string]any{"url": "not a url", "events": []string{"*"}}, bad: true}).problem(422, "validation_failed")
		h.do(req{method: "POST", path: "/v1/webhooks", token: sup, body: map[string]any{"url": "https://x.example", "events": []string{}}, bad: true}).problem(422, "validation_failed")
		h.post(sup, "/v1/webhooks/whk_nope/disable", nil).problem(404, "not_found")
		h.post(sup, "/v1/webhooks/deliveries/dlv_nope/redeliver", nil).problem(404, "not_found")
		h.do(req{method: "GET", path: "/v1/webhooks/deliveries?status=lost", token: sup, bad: true}).problem(422, "validation_failed")
	})
}

func TestReconciliation(t *testing.T) {
	h := newHarness(t)
	p := h.project()
	m := h.heldMilestone(p.ID, 1000)
	h.post(h.token(emp), "/v1/milestones/"+m.ID+"/release", map[string]any{"amount": 300}).ok(200, nil)
	d := h.file(fl, 500, h.heldMilestone(p.ID, 500).ID)
	h.act(emp, "/v1/disputes/"+d.ID+"/accept", nil)
	var r workflows.Reconciliation
	h.get(h.as("sup"), "/v1/reconciliation").ok(200, &r)
	if r.Milestones != 2 || len(r.Mismatches) != 0 || r.PendingInstructions != 1 || r.Totals[0].Pending != 500 || !r.JournalBalanced {
		t.Fatalf("before the ledger: %+v", r)
	}
	h.runLedger()
	h.get(h.token("led", "ledger"), "/v1/reconciliation").ok(200, &r)
	if len(r.Totals) != 1 || r.Totals[0].Held != 1500 || r.Totals[0].Released != 800 || r.Totals[0].Returned != 0 ||
		r.Totals[0].InEscrow != 700 || r.PendingInstructions != 0 || len(r.Mismatches) != 0 {
		t.Fatalf("after the ledger: %+v", r)
	}
	// A milestone row edited behind the service's back shows up.
	if err := h.db.Exec("UPDATE milestones SET released_amount = 900 WHERE id = ?", m.ID).Error; err != nil {
		t.Fatal(err)
	}
	h.get(h.as("sup"), "/v1/reconciliation").ok(200, &r)
	if len(r.Mismatches) != 1 || r.Mismatches[0].MilestoneID != m.ID || len(r.Mismatches[0].Problems) == 0 {
		t.Fatalf("tampering not caught: %+v", r.Mismatches)
	}
	h.get(h.token(emp), "/v1/reconciliation").problem(404, "not_found")
	h.get("", "/v1/reconciliation").problem(401, "unauthorized")
}
