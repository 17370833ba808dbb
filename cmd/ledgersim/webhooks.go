package main

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/disputed/disputed/webhook"
)

// receiver takes webhook deliveries: it verifies each signature, refuses
// some on purpose, and counts repeats of an event id (which the service may
// send more than once; a receiver must not act twice).
type receiver struct {
	secret   []byte
	consumer *Consumer
	mu       sync.Mutex
	seen     map[string]bool
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := webhook.Verify(r.secret, req.Header.Get(webhook.Header), body, webhook.DefaultTolerance, time.Now()); err != nil {
		r.consumer.count(func(s *Stats) { s.WebhookBadSig++ })
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if rand.Float64() < r.consumer.FailRate {
		r.consumer.count(func(s *Stats) { s.WebhookRefused++ })
		http.Error(w, "ledgersim: refused on purpose", http.StatusServiceUnavailable)
		return
	}
	var ev struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" {
		http.Error(w, "no event id", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	repeat := r.seen[ev.ID]
	r.seen[ev.ID] = true
	r.mu.Unlock()
	r.consumer.count(func(s *Stats) {
		s.WebhookEvents++
		if repeat {
			s.WebhookRepeats++
		}
	})
	w.WriteHeader(http.StatusNoContent)
}

// uniqueEvents is how many distinct event ids arrived.
func (r *receiver) uniqueEvents() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}
