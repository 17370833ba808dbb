package main

import (
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	var samples []time.Duration
	for i := 1; i <= 100; i++ {
		samples = append(samples, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{
		{0, 1 * time.Millisecond}, // the smallest, never an index below 0
		{1, 1 * time.Millisecond},
		{50, 50 * time.Millisecond},
		{95, 95 * time.Millisecond},
		{99, 99 * time.Millisecond},
		{99.5, 100 * time.Millisecond},
		{100, 100 * time.Millisecond},
	} {
		if got := percentile(samples, tc.p); got != tc.want {
			t.Errorf("p%v = %v, want %v", tc.p, got, tc.want)
		}
	}
}

func TestPercentileSmallSets(t *testing.T) {
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("no samples: %v, want 0", got)
	}
	one := []time.Duration{7}
	for _, p := range []float64{0, 50, 99, 100} {
		if got := percentile(one, p); got != 7 {
			t.Errorf("one sample, p%v = %v", p, got)
		}
	}
	// Four samples: p50 is the 2nd, p95 and p99 the 4th (ceil(0.95*4) = 4).
	four := []time.Duration{10, 20, 30, 40}
	if got := percentile(four, 50); got != 20 {
		t.Errorf("p50 of four = %v, want 20", got)
	}
	if got := percentile(four, 95); got != 40 {
		t.Errorf("p95 of four = %v, want 40", got)
	}
}

func TestRecorderMergeAndSummary(t *testing.T) {
	a, b := newRecorder(), newRecorder()
	a.observe("GET /v1/x", 3*time.Millisecond, "", "")
	a.observe("GET /v1/x", 1*time.Millisecond, "", "")
	b.observe("GET /v1/x", 2*time.Millisecond, "409 offer_not_open", "first")
	b.observe("GET /v1/x", 4*time.Millisecond, "409 offer_not_open", "second")
	b.observe("GET /v1/x", -1, transportError, "connection refused")
	b.check("payout: wrong amounts")
	a.merge(b)

	es := a.endpoints(2 * time.Second)
	if len(es) != 1 {
		t.Fatalf("endpoints: %+v", es)
	}
	e := es[0]
	if e.Calls != 5 || e.PerSec != 2.5 {
		t.Errorf("calls %d at %v/s, want 5 at 2.5/s (a transport error counts as a call)", e.Calls, e.PerSec)
	}
	if e.P50 != 2 || e.Max != 4 {
		t.Errorf("p50 %v max %v, want 2 and 4 (sorted across recorders)", e.P50, e.Max)
	}
	if e.Errors["409 offer_not_open"] != 2 || e.Errors[transportError] != 1 {
		t.Errorf("errors %v", e.Errors)
	}
	if a.examples["409 offer_not_open"] != "GET /v1/x: first" {
		t.Errorf("example %q: the first one should be kept", a.examples["409 offer_not_open"])
	}
	if a.checks["payout: wrong amounts"] != 1 {
		t.Errorf("checks %v", a.checks)
	}
}

func TestNilRecorderRecordsNothing(t *testing.T) {
	var r *recorder
	r.observe("GET /healthz", time.Millisecond, "", "") // must not panic
}
