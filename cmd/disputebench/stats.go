package main

import (
	"maps"
	"math"
	"slices"
	"time"
)

// series is one endpoint's latencies and failures.
type series struct {
	lat    []time.Duration
	errors map[string]int // "409 offer_not_open", "transport"
}

// recorder collects one goroutine's samples. Each worker owns one, so
// recording takes no lock; recorders are merged when the phase ends.
type recorder struct {
	byName   map[string]*series
	examples map[string]string // one detail per error key, to tell what went wrong
	checks   map[string]int    // anomalies in answers that a status does not show
}

func newRecorder() *recorder {
	return &recorder{byName: map[string]*series{}, examples: map[string]string{}, checks: map[string]int{}}
}

func (r *recorder) series(name string) *series {
	s := r.byName[name]
	if s == nil {
		s = &series{errors: map[string]int{}}
		r.byName[name] = s
	}
	return s
}

// observe records one answered call; key is empty for a success.
func (r *recorder) observe(name string, d time.Duration, key, detail string) {
	if r == nil {
		return
	}
	s := r.series(name)
	if d >= 0 {
		s.lat = append(s.lat, d)
	}
	if key != "" {
		s.errors[key]++
		if _, seen := r.examples[key]; !seen && detail != "" {
			r.examples[key] = name + ": " + detail
		}
	}
}

func (r *recorder) check(reason string) { r.checks[reason]++ }

func (r *recorder) merge(o *recorder) {
	for name, s := range o.byName {
		t := r.series(name)
		t.lat = append(t.lat, s.lat...)
		for k, n := range s.errors {
			t.errors[k] += n
		}
	}
	for k, v := range o.examples {
		if _, seen := r.examples[k]; !seen {
			r.examples[k] = v
		}
	}
	for k, n := range o.checks {
		r.checks[k] += n
	}
}

// EndpointStats summarises one endpoint over a phase. Latencies are in
// milliseconds.
type EndpointStats struct {
	Name   string         `json:"name"`
	Calls  int            `json:"calls"`
	PerSec float64        `json:"per_sec"`
	P50    float64        `json:"p50_ms"`
	P95    float64        `json:"p95_ms"`
	P99    float64        `json:"p99_ms"`
	Max    float64        `json:"max_ms"`
	Errors map[string]int `json:"errors,omitempty"`
}

func (s *series) summary(name string, elapsed time.Duration) EndpointStats {
	slices.Sort(s.lat)
	calls := len(s.lat) + s.errors[transportError] // a transport error has no latency
	e := EndpointStats{
		Name: name, Calls: calls, PerSec: float64(calls) / elapsed.Seconds(),
		P50: ms(percentile(s.lat, 50)), P95: ms(percentile(s.lat, 95)), P99: ms(percentile(s.lat, 99)),
		Max: ms(percentile(s.lat, 100)),
	}
	if len(s.errors) > 0 {
		e.Errors = maps.Clone(s.errors)
	}
	return e
}

// endpoints summarises every endpoint, sorted by name.
func (r *recorder) endpoints(elapsed time.Duration) []EndpointStats {
	out := make([]EndpointStats, 0, len(r.byName))
	for _, name := range slices.Sorted(maps.Keys(r.byName)) {
		out = append(out, r.byName[name].summary(name, elapsed))
	}
	return out
}

// percentile is the nearest-rank percentile of sorted samples: the
// smallest sample with at least p% of the samples at or below it. Zero
// for no samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }
