package main

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Phase is the result of one timed run of workers against the server.
type Phase struct {
	Mode     string  `json:"mode"`
	Workers  int     `json:"workers"`
	Seconds  float64 `json:"seconds"`
	Calls    int     `json:"calls"`
	CallsPS  float64 `json:"calls_per_sec"`
	Writes   int     `json:"write_calls"` // POSTs
	WritesPS float64 `json:"write_calls_per_sec"`
	Polls    int     `json:"poll_calls,omitempty"` // milestone reads while waiting for the ledger, part of Calls

	Lifecycles       int     `json:"lifecycles,omitempty"`
	LifecyclesPS     float64 `json:"lifecycles_per_sec,omitempty"`
	LifecyclesFailed int     `json:"lifecycles_failed,omitempty"`
	Ledger           string  `json:"ledger,omitempty"` // embedded, or external when this tool acknowledged
	// LedgerWaits: from the call that wrote an instruction to the poll that
	// saw it answered (calls and /s count answered waits, not requests).
	LedgerWaits []EndpointStats `json:"ledger_waits,omitempty"`

	Endpoints []EndpointStats   `json:"endpoints"`
	Errors    map[string]int    `json:"errors,omitempty"`   // by status and problem code, every endpoint
	Examples  map[string]string `json:"examples,omitempty"` // one detail per error key
	Checks    map[string]int    `json:"checks,omitempty"`   // anomalies seen in answers, not statuses
	// DeepVsFirst is p50(deep page) / p50(first page), by who lists.
	DeepVsFirst map[string]float64 `json:"deep_vs_first_p50,omitempty"`
	Server      *Server            `json:"server,omitempty"`
	Seed        *SeedResult        `json:"seed,omitempty"`
}

// timed runs work once per worker, each with its own recorder, for d (or
// until ctx ends), sampling the server's memory and CPU meanwhile.
func timed(ctx context.Context, workers int, d time.Duration, pid int, work func(ctx context.Context, i int, rec *recorder)) (*recorder, time.Duration, *Server) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	srv := startSampler(ctx, pid)
	recs := make([]*recorder, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range workers {
		recs[i] = newRecorder()
		wg.Go(func() { work(ctx, i, recs[i]) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	cancel()
	all := newRecorder()
	for _, r := range recs {
		all.merge(r)
	}
	return all, elapsed, srv.wait()
}

func newPhase(mode string, workers int, all *recorder, elapsed time.Duration, srv *Server) *Phase {
	p := &Phase{Mode: mode, Workers: workers, Seconds: elapsed.Seconds(), Server: srv}
	p.summarise(all, elapsed)
	return p
}

func (p *Phase) summarise(all *recorder, elapsed time.Duration) {
	p.Endpoints = all.endpoints(elapsed)
	p.Errors = map[string]int{}
	for _, e := range p.Endpoints {
		p.Calls += e.Calls
		if strings.HasPrefix(e.Name, "POST ") {
			p.Writes += e.Calls
		}
		if strings.HasSuffix(e.Name, " poll]") {
			p.Polls += e.Calls
		}
		for k, n := range e.Errors {
			p.Errors[k] += n
		}
	}
	p.CallsPS = float64(p.Calls) / elapsed.Seconds()
	p.WritesPS = float64(p.Writes) / elapsed.Seconds()
	p.Examples, p.Checks = all.examples, all.checks
	if len(p.Examples) == 0 {
		p.Examples = nil
	}
	if len(p.Checks) == 0 {
		p.Checks = nil
	}
	if len(p.Errors) == 0 {
		p.Errors = nil
	}
}

// endpoint finds a summary by name.
func (p *Phase) endpoint(name string) *EndpointStats {
	i := slices.IndexFunc(p.Endpoints, func(e EndpointStats) bool { return e.Name == name })
	if i < 0 {
		return nil
	}
	return &p.Endpoints[i]
}

// sortedKeys lists a count map's keys, largest count first.
func sortedKeys(m map[string]int) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	return keys
}
