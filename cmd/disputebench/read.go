package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const pageLimit = 50

// reader is what every read worker shares: the tokens of the seeded
// parties and of a support user, who lists every case.
type reader struct {
	api         *apiClient
	n, pairs    int
	employers   []string // tokens, by pair
	freelancers []string
	support     string
}

func newReader(api *apiClient, mint *minter, n, pairs int) (*reader, error) {
	r := &reader{api: api, n: n, pairs: pairs, employers: make([]string, pairs), freelancers: make([]string, pairs)}
	var err error
	for p := range pairs {
		if r.employers[p], err = mint.token(seedEmployer(p)); err != nil {
			return nil, err
		}
		if r.freelancers[p], err = mint.token(seedFreelancer(p)); err != nil {
			return nil, err
		}
	}
	r.support, err = mint.token("bench-support", "support")
	return r, err
}

// party picks one party of pair p, the employer or the freelancer.
func (r *reader) party(rng *rand.Rand, p int) string {
	if rng.IntN(2) == 0 {
		return r.employers[p]
	}
	return r.freelancers[p]
}

// The reads, in two phases: a slow list page would hold the workers and
// hide what single cases can do, so each phase measures its own capacity.
var readPhases = []struct {
	mode  string
	kinds []string
}{
	{"read: one case", []string{"get"}},
	{"read: list pages", []string{"first party", "deep party", "first support", "deep support"}},
}

// call builds the read of one kind. A party's deep page is its oldest 50
// cases; support's is the oldest 50 of all. The cursor is the last id seen,
// so it is computed from the seeded ids instead of walking the pages.
func (r *reader) call(rng *rand.Rand, kind string) call {
	p := rng.IntN(r.pairs)
	list := func(label, token, cursor string) call {
		q := url.Values{"limit": {strconv.Itoa(pageLimit)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		return call{method: http.MethodGet, route: "/v1/disputes", label: label, query: q, token: token}
	}
	switch kind {
	case "first party":
		return list("first page, party", r.party(rng, p), "")
	case "deep party":
		return list("deep page, party", r.party(rng, p), seedID("dsp", pairIndex(p, pageLimit, r.pairs)))
	case "first support":
		return list("first page, support", r.support, "")
	case "deep support":
		return list("deep page, support", r.support, seedID("dsp", pageLimit+1))
	}
	i := 1 + rng.IntN(r.n)
	return call{method: http.MethodGet, route: "/v1/disputes/{id}", args: []string{seedID("dsp", i)}, token: r.party(rng, i%r.pairs)}
}

// pairIndex is the seed index of pair p's k-th oldest case (k from 0).
func pairIndex(p, k, pairs int) int {
	first := p
	if first == 0 {
		first = pairs // index 0 does not exist: seeding starts at 1
	}
	return first + k*pairs
}

// check makes sure, before anything is timed, that the seeded cases read
// back as this run computes them (an earlier seeding with other --pairs
// would not): a case, and full pages of every kind.
func (r *reader) check(ctx context.Context) error {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kind := range []string{"first party", "deep party", "first support", "deep support", "get"} {
		var page struct {
			Items []struct{} `json:"items"`
		}
		c := r.call(rng, kind)
		if err := r.api.do(ctx, nil, c, &page); err != nil {
			return fmt.Errorf("%s: %w", c.name(), err)
		}
		if kind != "get" && len(page.Items) != pageLimit {
			return fmt.Errorf("%s: %d items, want %d", c.name(), len(page.Items), pageLimit)
		}
	}
	return nil
}

// runRead times each read phase in turn against the seeded cases.
func runRead(ctx context.Context, cfg config, api *apiClient, mint *minter, seeded *SeedResult) ([]*Phase, error) {
	r, err := newReader(api, mint, cfg.seed, cfg.pairs)
	if err != nil {
		return nil, err
	}
	if err := r.check(ctx); err != nil {
		return nil, fmt.Errorf("the seeded data does not read back as expected: %w", err)
	}
	var phases []*Phase
	for _, rp := range readPhases {
		all, elapsed, srv := timed(ctx, cfg.workers, cfg.duration, cfg.pid, func(ctx context.Context, i int, rec *recorder) {
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			for n := i; ctx.Err() == nil; n++ {
				if err := api.do(ctx, rec, r.call(rng, rp.kinds[n%len(rp.kinds)]), nil); retryable(err) && ctx.Err() == nil {
					sleep(ctx, 50*time.Millisecond)
				}
			}
		})
		p := newPhase(rp.mode, cfg.workers, all, elapsed, srv)
		p.Seed, seeded = seeded, nil // told once
		p.deepVsFirst()
		phases = append(phases, p)
	}
	return phases, nil
}

// deepVsFirst compares the list pages' medians, by who lists.
func (p *Phase) deepVsFirst() {
	for _, who := range []string{"party", "support"} {
		first, deep := p.endpoint("GET /v1/disputes [first page, "+who+"]"), p.endpoint("GET /v1/disputes [deep page, "+who+"]")
		if first != nil && deep != nil && first.P50 > 0 {
			if p.DeepVsFirst == nil {
				p.DeepVsFirst = map[string]float64{}
			}
			p.DeepVsFirst[who] = deep.P50 / first.P50
		}
	}
}
