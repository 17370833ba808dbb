package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// Instruction is what the feed carries, as far as a ledger cares.
type Instruction struct {
	Seq         int64  `json:"seq"`
	Cursor      string `json:"cursor"`
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Status      string `json:"status"`
	Currency    string `json:"currency"`
	Amount      int64  `json:"amount"`
	FromAccount string `json:"from_account"`
	ToAccount   string `json:"to_account"`
}

// Ledger is a double-entry book that executes each instruction at most
// once, keyed by instruction id, and survives restarts through its state
// file.
type Ledger struct {
	mu       sync.Mutex
	path     string
	State    State
	dirty    bool
	execHook func(Instruction) // tests observe executions
}

// State is what the ledger keeps.
type State struct {
	// Balances per account and currency; each execution moves Amount from
	// one account to the other, so every currency sums to zero.
	Balances map[string]map[string]int64 `json:"balances"`
	// Executed maps instruction id to this ledger's reference.
	Executed map[string]string `json:"executed"`
	// Rejected maps instruction id to the reason given.
	Rejected map[string]string `json:"rejected"`
	// Watermark is the feed cursor up to which every instruction is settled
	// on the server: the next poll starts there.
	Watermark string `json:"watermark"`
	Next      int64  `json:"next_reference"`
}

// OpenLedger loads the state file, or starts empty.
func OpenLedger(path string) (*Ledger, error) {
	l := &Ledger{path: path, State: State{Balances: map[string]map[string]int64{}, Executed: map[string]string{}, Rejected: map[string]string{}}}
	if path == "" {
		return l, nil
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, err
	}
	return l, json.Unmarshal(raw, &l.State)
}

// Execute applies ins once and returns its reference; a repeat returns the
// first reference and moves nothing (the second result is false).
func (l *Ledger) Execute(ins Instruction) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ref, ok := l.State.Executed[ins.ID]; ok {
		return ref, false
	}
	l.move(ins.FromAccount, ins.Currency, -ins.Amount)
	l.move(ins.ToAccount, ins.Currency, ins.Amount)
	l.State.Next++
	ref := fmt.Sprintf("sim-%06d", l.State.Next)
	l.State.Executed[ins.ID] = ref
	l.dirty = true
	if l.execHook != nil {
		l.execHook(ins)
	}
	return ref, true
}

// Reject records a refusal (nothing moves).
func (l *Ledger) Reject(ins Instruction, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.State.Rejected[ins.ID] = reason
	l.dirty = true
}

// Decided reports whether the ledger already executed or rejected ins.
func (l *Ledger) Decided(id string) (ref string, executed, rejected bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ref, executed = l.State.Executed[id]
	_, rejected = l.State.Rejected[id]
	return ref, executed, rejected
}

func (l *Ledger) move(account, currency string, amount int64) {
	if l.State.Balances[account] == nil {
		l.State.Balances[account] = map[string]int64{}
	}
	l.State.Balances[account][currency] += amount
}

// SetWatermark records feed progress (cursors only move forward: the
// consumer passes them in feed order).
func (l *Ledger) SetWatermark(cursor string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cursor != l.State.Watermark {
		l.State.Watermark, l.dirty = cursor, true
	}
}

// Watermark is where the next poll starts.
func (l *Ledger) Watermark() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.State.Watermark
}

// Save writes the state file atomically, if anything changed. It runs
// before each acknowledgement is sent, so a restart never executes an
// instruction twice.
func (l *Ledger) Save() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.path == "" || !l.dirty {
		return nil
	}
	raw, err := json.Marshal(l.State)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(l.path), ".ledgersim-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), l.path); err != nil {
		return err
	}
	l.dirty = false
	return nil
}

// Report is the reconciliation report.
type Report struct {
	Executed        int                         `json:"executed"`
	Rejected        int                         `json:"rejected"`
	Balances        map[string]map[string]int64 `json:"balances"`
	TotalByCurrency map[string]int64            `json:"total_by_currency"` // zero when the books balance
	Balanced        bool                        `json:"balanced"`
	Stats           Stats                       `json:"stats"`
}

// Report summarises the books.
func (l *Ledger) Report(stats Stats) Report {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := Report{Executed: len(l.State.Executed), Rejected: len(l.State.Rejected), Balances: map[string]map[string]int64{},
		TotalByCurrency: map[string]int64{}, Balanced: true, Stats: stats}
	for acc, byCur := range l.State.Balances {
		r.Balances[acc] = map[string]int64{}
		for cur, v := range byCur {
			r.Balances[acc][cur] = v
			r.TotalByCurrency[cur] += v
		}
	}
	for _, v := range r.TotalByCurrency {
		r.Balanced = r.Balanced && v == 0
	}
	return r
}

// PrintReport writes the report as text.
func (r Report) Print(w func(format string, args ...any)) {
	w("ledgersim reconciliation: %d executed, %d rejected, balanced=%v\n", r.Executed, r.Rejected, r.Balanced)
	accounts := make([]string, 0, len(r.Balances))
	for a := range r.Balances {
		accounts = append(accounts, a)
	}
	sort.Strings(accounts)
	for _, a := range accounts {
		for cur, v := range r.Balances[a] {
			w("  %-60s %s %14d\n", a, cur, v)
		}
	}
	for cur, v := range r.TotalByCurrency {
		w("  %-60s %s %14d\n", "TOTAL", cur, v)
	}
	w("  stats: %+v\n", r.Stats)
}
