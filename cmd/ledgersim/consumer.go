package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
)

// Stats count what happened, for the report and for crash tests.
type Stats struct {
	Polls           int64 `json:"polls"`
	RequestErrors   int64 `json:"request_errors"`
	Executions      int64 `json:"executions"`
	AcksSent        int64 `json:"acks_sent"`
	AcksDropped     int64 `json:"acks_dropped"` // executed, ack deliberately not sent: resent on a later poll
	AcksResent      int64 `json:"acks_resent"`
	Rejections      int64 `json:"rejections"`
	ForeignSettled  int64 `json:"foreign_settled"` // acked on the server but never executed here: must stay 0
	WebhookEvents   int64 `json:"webhook_events"`
	WebhookRepeats  int64 `json:"webhook_repeats"`
	WebhookBadSig   int64 `json:"webhook_bad_signatures"`
	WebhookRefused  int64 `json:"webhook_refused"` // failed on purpose
	DoubleExecution int64 `json:"double_execution"`
}

// Consumer reads the instruction feed as role ledger, executes each
// instruction once in its Ledger and answers the service. It can be told
// to lose acknowledgements and to reject instructions, to test the
// service's side of exactly-once.
type Consumer struct {
	URLs       []string // several instances; a failing one is skipped
	Token      string
	Client     *http.Client
	Ledger     *Ledger
	FailRate   float64 // share of acks dropped after executing, and of webhooks refused
	RejectRate float64 // share of instructions rejected instead of executed
	Logf       func(format string, args ...any)

	next  atomic.Int64 // round-robin over URLs
	mu    sync.Mutex
	stats Stats
}

func (c *Consumer) count(f func(*Stats)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.stats)
}

// Stats returns a snapshot.
func (c *Consumer) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

type feed struct {
	Items     []Instruction `json:"items"`
	NextAfter string        `json:"next_after"`
}

// Poll reads one page of the feed after the watermark and settles it.
// Returns how many instructions were still pending on the server.
func (c *Consumer) Poll(ctx context.Context) (int, error) {
	c.count(func(s *Stats) { s.Polls++ })
	var page feed
	path := "/v1/ledger/instructions?limit=200&after=" + url.QueryEscape(c.Ledger.Watermark())
	if err := c.call(ctx, http.MethodGet, path, nil, &page); err != nil {
		return 0, err
	}
	pending, prefixSettled := 0, true
	for _, ins := range page.Items {
		ref, executed, rejected := c.Ledger.Decided(ins.ID)
		switch ins.Status {
		case "pending":
			pending++
			prefixSettled = false
			if err := c.settle(ctx, ins, ref, executed, rejected); err != nil {
				return pending, err
			}
		case "acked":
			if !executed {
				c.count(func(s *Stats) { s.ForeignSettled++ })
			}
		}
		if prefixSettled {
			c.Ledger.SetWatermark(ins.Cursor)
		}
	}
	return pending, c.Ledger.Save()
}

func (c *Consumer) settle(ctx context.Context, ins Instruction, ref string, executed, rejected bool) error {
	switch {
	case rejected:
		return c.answer(ctx, ins.ID, "reject", map[string]string{"reason": c.Ledger.State.Rejected[ins.ID]})
	case executed:
		c.count(func(s *Stats) { s.AcksResent++ })
		return c.answer(ctx, ins.ID, "ack", map[string]string{"reference": ref})
	case rand.Float64() < c.RejectRate:
		c.Ledger.Reject(ins, "ledgersim: rejected on purpose")
		c.count(func(s *Stats) { s.Rejections++ })
		if err := c.Ledger.Save(); err != nil {
			return err
		}
		return c.answer(ctx, ins.ID, "reject", map[string]string{"reason": "ledgersim: rejected on purpose"})
	}
	ref, first := c.Ledger.Execute(ins)
	if !first {
		c.count(func(s *Stats) { s.DoubleExecution++ })
	}
	c.count(func(s *Stats) { s.Executions++ })
	if err := c.Ledger.Save(); err != nil { // durable before the service hears of it
		return err
	}
	if rand.Float64() < c.FailRate {
		c.count(func(s *Stats) { s.AcksDropped++ })
		return nil
	}
	return c.answer(ctx, ins.ID, "ack", map[string]string{"reference": ref})
}

func (c *Consumer) answer(ctx context.Context, id, verb string, body any) error {
	err := c.call(ctx, http.MethodPost, "/v1/ledger/instructions/"+id+"/"+verb, body, nil)
	if err == nil && verb == "ack" {
		c.count(func(s *Stats) { s.AcksSent++ })
	}
	return err
}

// call sends one request to the next instance, trying each once.
func (c *Consumer) call(ctx context.Context, method, path string, body, out any) error {
	var lastErr error
	for range c.URLs {
		base := c.URLs[int(c.next.Add(1))%len(c.URLs)]
		var rd io.Reader
		if body != nil {
			raw, _ := json.Marshal(body)
			rd = bytes.NewReader(raw)
		}
		req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+c.Token)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := c.Client.Do(req)
		if err != nil {
			c.count(func(s *Stats) { s.RequestErrors++ })
			lastErr = err
			continue
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			c.count(func(s *Stats) { s.RequestErrors++ })
			lastErr = fmt.Errorf("%s %s: %s", method, path, resp.Status)
			continue
		}
		if resp.StatusCode >= 300 {
			return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, raw)
		}
		if out != nil {
			return json.Unmarshal(raw, out)
		}
		return nil
	}
	return lastErr
}
