package e2e

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// want is the outcome the driver expects from what the service answered:
// a 2xx commits the driver to the outcome it asked for; a 409 after a
// deadline means the deadline decided instead.
type want struct {
	kind    string
	release int64
	refunds string // whose paid fees must come back: both, employer, freelancer, none
}

func (w *world) run(i int, scenario string) (*dispute, error) {
	emp, fl := fmt.Sprintf("emp-%d", i%8), fmt.Sprintf("fl-%d", i%8)
	E, F, A := w.token(emp), w.token(fl), w.token("arb-1", "arbitrator")
	c := w.c
	amount := int64(1000 + rand.IntN(99000))
	var p struct{ ID string }
	if err := c.json("POST", "/v1/projects", E, map[string]any{"title": fmt.Sprint("case ", i), "freelancer_id": fl, "currency": "USD"}, &p); err != nil {
		return nil, err
	}
	var m milestone
	if err := c.json("POST", "/v1/projects/"+p.ID+"/milestones", E, map[string]any{"description": "work", "amount": amount}, &m); err != nil {
		return nil, err
	}
	if err := w.until(E, "/v1/milestones/"+m.ID, func(s string) bool { return s == "held" }, &m); err != nil {
		return nil, fmt.Errorf("hold: %w", err)
	}
	file := func(token string, release int64) (*dispute, error) {
		var d dispute
		err := c.json("POST", "/v1/disputes", token, map[string]any{"milestone_ids": []string{m.ID}, "reason": "quality_issue",
			"description": "case", "release_amount": release}, &d)
		return &d, err
	}
	act := func(token, path string, body any) (bool, error) {
		status, raw, err := c.call("POST", path, token, body)
		switch {
		case err != nil:
			return false, err
		case status == 409:
			return false, nil // too late: a deadline decided
		case status >= 300:
			return false, fmt.Errorf("POST %s: %d %s", path, status, raw)
		}
		return true, nil
	}
	var exp want
	var d *dispute
	var err error
	switch scenario {
	case "accepted":
		claim := amount * 7 / 10
		if d, err = file(F, claim); err != nil {
			return nil, err
		}
		exp = want{"default", claim, "both"}
		if ok, err := act(E, "/v1/disputes/"+d.ID+"/accept", nil); err != nil {
			return nil, err
		} else if ok {
			exp.kind = "accepted"
		}
	case "settled":
		if d, err = file(E, 0); err != nil {
			return nil, err
		}
		exp = want{"default", 0, "both"}
		if ok, err := act(F, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": amount}); err != nil || !ok {
			break
		}
		var cur dispute
		if err := c.json("POST", "/v1/disputes/"+d.ID+"/offers", E, map[string]any{"release_amount": amount / 2}, &cur); err != nil {
			return nil, err
		}
		if err := c.json("POST", "/v1/disputes/"+d.ID+"/offers/"+cur.Offers.Employer.ID+"/accept", F, nil, nil); err != nil {
			return nil, err
		}
		exp = want{"settled", amount / 2, "both"}
	case "fee_default", "arbitrated", "withdrawn":
		if d, err = file(F, amount); err != nil {
			return nil, err
		}
		exp = want{"default", amount, "both"}
		if ok, err := act(E, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 0}); err != nil {
			return nil, err
		} else if !ok {
			break
		}
		switch scenario {
		case "withdrawn":
			if err := c.json("POST", "/v1/disputes/"+d.ID+"/withdraw", F, nil, nil); err != nil {
				return nil, err
			}
			exp = want{"withdrawn", 0, "both"}
		case "fee_default":
			if err := c.json("POST", "/v1/disputes/"+d.ID+"/fee", E, nil, nil); err != nil {
				return nil, err
			}
			exp = want{"default", 0, "employer"} // the freelancer never pays: all back to the employer
		case "arbitrated":
			if err := c.json("POST", "/v1/disputes/"+d.ID+"/fee", F, nil, nil); err != nil {
				return nil, err
			}
			exp = want{"default", amount, "freelancer"}
			if err := w.until(F, "/v1/disputes/"+d.ID, func(s string) bool { return s == "final_offers" }, nil); err != nil {
				return nil, err
			}
			if ok, err := act(E, "/v1/disputes/"+d.ID+"/fee", nil); err != nil {
				return nil, err
			} else if !ok {
				break
			}
			if err := w.until(A, "/v1/disputes/"+d.ID, func(s string) bool { return s == "arbitration" }, nil); err != nil {
				return nil, err
			}
			if err := c.json("POST", "/v1/disputes/"+d.ID+"/decision", A, map[string]any{
				"release_amount": amount * 6 / 10, "rationale": "60% delivered", "fee_refund": "freelancer"}, nil); err != nil {
				return nil, err
			}
			exp = want{"arbitrated", amount * 6 / 10, "freelancer"}
		}
	case "response_default":
		if d, err = file(E, amount/4); err != nil {
			return nil, err
		}
		exp = want{"default", amount / 4, "both"}
	}
	var final dispute
	if err := w.until(E, "/v1/disputes/"+d.ID, func(s string) bool { return s == "resolved" || s == "withdrawn" }, &final); err != nil {
		return nil, err
	}
	if final.Outcome == nil || final.Outcome.Kind != exp.kind || (exp.kind != "withdrawn" && final.Outcome.ReleaseAmount != exp.release) {
		return nil, fmt.Errorf("dispute %s: outcome %+v, want %+v", d.ID, final.Outcome, exp)
	}
	w.mu.Lock()
	wants[final.ID] = exp
	w.mu.Unlock()
	return &final, nil
}

var wants = map[string]want{}

// until polls path until its state or stage satisfies ok.
func (w *world) until(token, path string, ok func(string) bool, out any) error {
	return eventually(60*time.Second, func() (bool, error) {
		var v struct {
			State string `json:"state"`
			Stage string `json:"stage"`
		}
		if err := w.c.json("GET", path, token, nil, &v); err != nil {
			return false, err
		}
		if !ok(v.State + v.Stage) {
			return false, fmt.Errorf("%s still %s%s", path, v.State, v.Stage)
		}
		if out != nil {
			return true, w.c.json("GET", path, token, nil, out)
		}
		return true, nil
	})
}

// check holds every case to its expected outcome in the database itself.
func (w *world) check(db *sql.DB, results []*dispute, _ []string, sup string) {
	t := w.t
	for _, d := range results {
		if d == nil {
			continue
		}
		exp := wants[d.ID]
		sums := map[string]int64{}
		rows, err := db.Query(`SELECT kind, status, amount, to_account FROM ledger_instructions WHERE dispute_id = $1`, d.ID)
		must(t, err, "instructions")
		refundedTo := map[string]bool{}
		for rows.Next() {
			var kind, status, to string
			var amt int64
			must(t, rows.Scan(&kind, &status, &amt, &to), "scan")
			if status != "acked" {
				t.Errorf("dispute %s: %s instruction %s", d.ID, kind, status)
			}
			sums[kind] += amt
			if kind == "fee_refund" {
				refundedTo[strings.SplitN(to, "-", 2)[0]] = true // user:emp-N / user:fl-N
			}
		}
		rows.Close()
		if exp.kind == "withdrawn" {
			if sums["release"]+sums["return"] != 0 {
				t.Errorf("withdrawn %s moved money: %v", d.ID, sums)
			}
		} else if sums["release"] != exp.release || sums["release"]+sums["return"] != d.Total {
			t.Errorf("dispute %s (%s): release %d return %d, want %d of %d", d.ID, exp.kind, sums["release"], sums["return"], exp.release, d.Total)
		}
		charges := sums["fee_charge"]
		switch exp.refunds {
		case "both":
			if sums["fee_refund"] != charges {
				t.Errorf("dispute %s: refunded %d of %d charged fees", d.ID, sums["fee_refund"], charges)
			}
		case "employer", "freelancer":
			if charges > 0 && (len(refundedTo) != 1 || !refundedTo["user:"+map[string]string{"employer": "emp", "freelancer": "fl"}[exp.refunds]]) {
				t.Errorf("dispute %s: fee refunds to %v, want %s only", d.ID, refundedTo, exp.refunds)
			}
		}
		var mState string
		var amt, rel, ret int64
		must(t, db.QueryRow(`SELECT state, amount, released_amount, returned_amount FROM milestones WHERE id = $1`,
			d.Milestones[0].MilestoneID).Scan(&mState, &amt, &rel, &ret), "milestone")
		if exp.kind == "withdrawn" && (mState != "held" || rel+ret != 0) || exp.kind != "withdrawn" && rel+ret != amt {
			t.Errorf("milestone of %s: %s, released %d + returned %d of %d", d.ID, mState, rel, ret, amt)
		}
	}
	var twice int
	must(t, db.QueryRow(`SELECT COUNT(*) FROM (SELECT dispute_id FROM dispute_events WHERE kind = 'deadline_passed'
		GROUP BY dispute_id HAVING COUNT(*) > 1) x`).Scan(&twice), "deadlines")
	if twice != 0 {
		t.Errorf("%d deadlines fired twice", twice)
	}
	var resolvedTwice int
	must(t, db.QueryRow(`SELECT COUNT(*) FROM (SELECT dispute_id FROM dispute_events WHERE kind = 'resolved'
		GROUP BY dispute_id HAVING COUNT(*) > 1) x`).Scan(&resolvedTwice), "resolutions")
	if resolvedTwice != 0 {
		t.Errorf("%d disputes resolved twice", resolvedTwice)
	}
	var recon struct {
		Mismatches []any `json:"mismatches"`
	}
	must(t, w.c.json("GET", "/v1/reconciliation", sup, nil, &recon), "reconciliation")
	if len(recon.Mismatches) != 0 {
		t.Errorf("reconciliation mismatches: %v", recon.Mismatches)
	}
}

// checkBalances: the ledger's balances equal, to the cent, what the
// service's acknowledged instructions say they must be.
func (w *world) checkBalances(db *sql.DB, r simReportJSON) {
	want := map[string]int64{}
	rows, err := db.Query(`SELECT from_account, to_account, currency, amount FROM ledger_instructions WHERE status = 'acked'`)
	must(w.t, err, "acked")
	defer rows.Close()
	for rows.Next() {
		var from, to, cur string
		var amt int64
		must(w.t, rows.Scan(&from, &to, &cur, &amt), "scan")
		want[from+"|"+cur] -= amt
		want[to+"|"+cur] += amt
	}
	got := map[string]int64{}
	for acc, byCur := range r.Balances {
		for cur, v := range byCur {
			got[acc+"|"+cur] = v
		}
	}
	for k, v := range want {
		if got[k] != v {
			w.t.Errorf("balance %s: ledger %d, service %d", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		w.t.Errorf("ledger has %d accounts, service expects %d", len(got), len(want))
	}
}
