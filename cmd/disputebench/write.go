package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

const (
	milestoneAmount = 10000
	claimAmount     = 8000
	settledAmount   = 5000 // the employer's counter-offer, which the freelancer accepts

	externalAfter = 2 * time.Second  // a ledger instruction pending longer: nobody executes it in-process
	giveUpAfter   = 30 * time.Second // the ledger never answered: drop the lifecycle
	maxPollEvery  = time.Second      // polls back off to this, so a lagging ledger is not buried in reads
)

// step is where a lifecycle is: the next thing to do.
type step int

const (
	stepProject step = iota
	stepMilestone
	stepHold // polling until the ledger acknowledges the hold
	stepFile
	stepOffer
	stepAccept
	stepPayout // polling until the ledger acknowledges the verdict's release and return
)

// lifecycle is one project, milestone and dispute, from creation to payout.
type lifecycle struct {
	step                               step
	project, milestone, dispute, offer string
	waitingSince, readyAt              time.Time
	pollEvery                          time.Duration
}

// writer is one write worker. It issues one call at a time but keeps up to
// inflight lifecycles going, so waiting for the ledger never leaves it idle:
// the server sees exactly `workers` concurrent calls, as pgbench's clients.
type writer struct {
	api          *apiClient
	rec          *recorder
	waits        *recorder // how long the ledger took, seen by the polls: not API calls
	ledger       *ledgerAcker
	employer     string // tokens
	freelancer   string
	freelancerID string
	inflight     int
	poll         time.Duration

	done, failed int
}

func (w *writer) run(ctx context.Context) {
	var active []*lifecycle
	for ctx.Err() == nil {
		next, earliest := due(active, time.Now())
		if next < 0 && len(active) < w.inflight {
			active = append(active, &lifecycle{})
			next = len(active) - 1
		}
		if next < 0 {
			sleep(ctx, time.Until(earliest))
			continue
		}
		lc := active[next]
		finished, err := w.advance(ctx, lc)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			w.failed++
			if retryable(err) {
				sleep(ctx, 50*time.Millisecond)
			}
		case !finished:
			continue
		default:
			w.done++
		}
		active = slices.Delete(active, next, next+1)
	}
}

// due finds the oldest lifecycle ready at now; if none is, -1 and when the
// first will be.
func due(active []*lifecycle, now time.Time) (int, time.Time) {
	var earliest time.Time
	for i, lc := range active {
		if !lc.readyAt.After(now) {
			return i, now
		}
		if earliest.IsZero() || lc.readyAt.Before(earliest) {
			earliest = lc.readyAt
		}
	}
	return -1, earliest
}

// advance does the lifecycle's next call. It reports whether the lifecycle
// is complete; an error drops it.
func (w *writer) advance(ctx context.Context, lc *lifecycle) (bool, error) {
	switch lc.step {
	case stepProject:
		var p struct{ ID string }
		err := w.api.do(ctx, w.rec, call{method: http.MethodPost, route: "/v1/projects", token: w.employer,
			body: map[string]any{"title": "bench", "freelancer_id": w.freelancerID, "currency": "USD"}}, &p)
		if err != nil {
			return false, err
		}
		w.ledger.own(p.ID)
		lc.project, lc.step = p.ID, stepMilestone
	case stepMilestone:
		var m struct{ ID string }
		err := w.api.do(ctx, w.rec, call{method: http.MethodPost, route: "/v1/projects/{id}/milestones", args: []string{lc.project},
			token: w.employer, body: map[string]any{"description": "bench", "amount": milestoneAmount}}, &m)
		if err != nil {
			return false, err
		}
		lc.milestone = m.ID
		w.wait(lc, stepHold)
	case stepHold:
		return false, w.pollMilestone(ctx, lc, "hold poll", func(m *milestone) (bool, error) {
			switch m.State {
			case "held":
				lc.step = stepFile
				return true, nil
			case "pending":
				return false, nil
			}
			return false, fmt.Errorf("hold: milestone is %s", m.State)
		})
	case stepFile:
		var d dispute
		err := w.api.do(ctx, w.rec, call{method: http.MethodPost, route: "/v1/disputes", token: w.freelancer,
			body: map[string]any{"milestone_ids": []string{lc.milestone}, "reason": "payment_withheld",
				"description": "bench", "release_amount": claimAmount}}, &d)
		if err != nil {
			return false, err
		}
		lc.dispute, lc.step = d.ID, stepOffer
	case stepOffer:
		var d dispute
		err := w.api.do(ctx, w.rec, call{method: http.MethodPost, route: "/v1/disputes/{id}/offers", args: []string{lc.dispute},
			token: w.employer, body: map[string]any{"release_amount": settledAmount, "note": "half"}}, &d)
		if err != nil {
			return false, err
		}
		if d.Offers.Employer == nil {
			w.rec.check("offer: the answer has no open employer offer")
			return false, errors.New("no employer offer")
		}
		lc.offer, lc.step = d.Offers.Employer.ID, stepAccept
	case stepAccept:
		var d dispute
		err := w.api.do(ctx, w.rec, call{method: http.MethodPost, route: "/v1/disputes/{id}/offers/{offer_id}/accept",
			args: []string{lc.dispute, lc.offer}, token: w.freelancer}, &d)
		if err != nil {
			return false, err
		}
		if d.Stage != "resolved" {
			w.rec.check("accept: stage " + d.Stage + ", not resolved")
			return false, errors.New("not resolved")
		}
		w.wait(lc, stepPayout)
	case stepPayout:
		var complete bool
		err := w.pollMilestone(ctx, lc, "payout poll", func(m *milestone) (bool, error) {
			if !m.paidOut(lc.dispute) {
				return false, nil
			}
			if m.PendingAmount > 0 {
				// Every instruction answered, yet money still pending: the
				// milestone and its instructions were not read as one snapshot.
				w.rec.check("GET /v1/milestones/{id}: instructions all answered but pending_amount > 0 (read skew)")
				return false, nil
			}
			if m.State != "split" || m.ReleasedAmount != settledAmount || m.ReturnedAmount != milestoneAmount-settledAmount {
				return false, fmt.Errorf("payout: milestone %s released %d returned %d, want split %d/%d",
					m.State, m.ReleasedAmount, m.ReturnedAmount, settledAmount, milestoneAmount-settledAmount)
			}
			complete = true
			return true, nil
		})
		return complete, err
	}
	return false, nil
}

// wait moves the lifecycle to a polling step, first polled one interval on.
func (w *writer) wait(lc *lifecycle, s step) {
	lc.step, lc.waitingSince, lc.pollEvery = s, time.Now(), w.poll
	lc.readyAt = lc.waitingSince.Add(lc.pollEvery)
}

// pollMilestone reads the milestone (counted under label, apart from the
// lifecycle's own calls) and asks ready whether the wait is over.
func (w *writer) pollMilestone(ctx context.Context, lc *lifecycle, label string, ready func(*milestone) (bool, error)) error {
	var m milestone
	err := w.api.do(ctx, w.rec, call{method: http.MethodGet, route: "/v1/milestones/{id}", args: []string{lc.milestone},
		label: label, token: w.employer}, &m)
	if err != nil {
		return err
	}
	ok, err := ready(&m)
	if err != nil {
		w.rec.check(err.Error())
		return err
	}
	waited := time.Since(lc.waitingSince)
	if ok {
		w.ledger.answered.Store(true)
		w.waits.observe(strings.TrimSuffix(label, " poll")+" acknowledged", waited, "", "")
		return nil
	}
	w.ledger.stalled(ctx, waited)
	if waited > giveUpAfter {
		reason := label + ": the ledger did not answer within " + giveUpAfter.String()
		w.rec.check(reason)
		return errors.New(reason)
	}
	lc.pollEvery = min(2*lc.pollEvery, maxPollEvery)
	lc.readyAt = time.Now().Add(lc.pollEvery)
	return nil
}

type instruction struct {
	Seq       int64   `json:"seq"`
	ID        string  `json:"id"`
	Kind      string  `json:"kind"`
	Status    string  `json:"status"`
	ProjectID string  `json:"project_id"`
	DisputeID *string `json:"dispute_id"`
}

type milestone struct {
	ID             string        `json:"id"`
	State          string        `json:"state"`
	ReleasedAmount int64         `json:"released_amount"`
	ReturnedAmount int64         `json:"returned_amount"`
	PendingAmount  int64         `json:"pending_amount"`
	Instructions   []instruction `json:"instructions"`
}

// paidOut tells whether the ledger has answered every instruction the
// dispute's verdict wrote for this milestone.
func (m *milestone) paidOut(disputeID string) bool {
	seen := false
	for _, ins := range m.Instructions {
		if ins.DisputeID == nil || *ins.DisputeID != disputeID || (ins.Kind != "release" && ins.Kind != "return") {
			continue
		}
		if ins.Status == "pending" {
			return false
		}
		seen = true
	}
	return seen
}

type dispute struct {
	ID     string `json:"id"`
	Stage  string `json:"stage"`
	Offers struct {
		Employer *struct {
			ID string `json:"id"`
		} `json:"employer"`
	} `json:"offers"`
}

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// runWrite drives lifecycles with cfg.workers writers, each with its own
// employer and freelancer.
func runWrite(ctx context.Context, cfg config, api *apiClient, mint *minter) (*Phase, error) {
	run := time.Now().Format("150405")
	ledgerToken, err := mint.token("bench-"+run+"-ledger", "ledger")
	if err != nil {
		return nil, err
	}
	acker := &ledgerAcker{api: api, token: ledgerToken, rec: newRecorder(), poll: cfg.poll, auto: cfg.ledger == "auto"}
	if err := acker.findHead(ctx); err != nil {
		return nil, fmt.Errorf("reading the ledger feed's head: %w", err)
	}
	writers := make([]*writer, cfg.workers)
	for i := range writers {
		emp, fl := fmt.Sprintf("bench-%s-w%d-emp", run, i), fmt.Sprintf("bench-%s-w%d-fl", run, i)
		w := &writer{api: api, waits: newRecorder(), ledger: acker, freelancerID: fl, inflight: cfg.inflight, poll: cfg.poll}
		if w.employer, err = mint.token(emp); err != nil {
			return nil, err
		}
		if w.freelancer, err = mint.token(fl); err != nil {
			return nil, err
		}
		writers[i] = w
	}
	all, elapsed, srv := timed(ctx, cfg.workers, cfg.duration, cfg.pid, func(ctx context.Context, i int, rec *recorder) {
		if cfg.ledger == "external" {
			acker.start(ctx)
		}
		writers[i].rec = rec
		writers[i].run(ctx)
	})
	acker.wg.Wait()
	all.merge(acker.rec)

	p := newPhase("write", cfg.workers, all, elapsed, srv)
	waits := newRecorder()
	for _, w := range writers {
		p.Lifecycles += w.done
		p.LifecyclesFailed += w.failed
		waits.merge(w.waits)
	}
	p.LedgerWaits = waits.endpoints(elapsed)
	p.LifecyclesPS = float64(p.Lifecycles) / elapsed.Seconds()
	p.Ledger = "the server's own (embedded)"
	if acker.started.Load() {
		p.Ledger = "external: acknowledged by this tool"
	}
	return p, nil
}
