package workflows

import (
	"context"
	"fmt"
	"sort"

	"github.com/disputed/disputed/models"
)

// MilestoneRecon compares a milestone's amounts with what the ledger
// acknowledged for it.
type MilestoneRecon struct {
	MilestoneID string   `json:"milestone_id"`
	Currency    string   `json:"currency"`
	State       string   `json:"state"`
	Amount      int64    `json:"amount"`
	Held        int64    `json:"held"` // acknowledged hold
	Released    int64    `json:"released"`
	Returned    int64    `json:"returned"`
	Pending     int64    `json:"pending"`
	Failed      int64    `json:"failed"`
	Problems    []string `json:"problems,omitempty"`
}

// CurrencyTotals sums the milestones of one currency.
type CurrencyTotals struct {
	Currency string `json:"currency"`
	Held     int64  `json:"held"`
	Released int64  `json:"released"`
	Returned int64  `json:"returned"`
	Pending  int64  `json:"pending"`
	Failed   int64  `json:"failed"`
	// InEscrow is held minus released and returned: what escrow must hold.
	InEscrow int64 `json:"in_escrow"`
}

// Reconciliation is the service's books against the ledger's answers.
type Reconciliation struct {
	Milestones           int              `json:"milestones"`
	Totals               []CurrencyTotals `json:"totals"`
	Mismatches           []MilestoneRecon `json:"mismatches"`
	PendingInstructions  int64            `json:"pending_instructions"`
	RejectedInstructions int64            `json:"rejected_instructions"`
	// JournalBalanced: the embedded ledger's entries sum to zero per
	// currency (always true with an external ledger, which keeps none here).
	JournalBalanced bool `json:"journal_balanced"`
}

type reconRow struct {
	models.Milestone
	LedgerHeld, LedgerReleased, LedgerReturned, LedgerPending int64
	Escrow                                                    *int64
}

// Reconcile checks, for every milestone, held >= released + returned +
// pending + failed, that the milestone's amounts equal the acknowledged
// instructions, that a closed milestone is fully paid out, and, with the
// embedded ledger, that its escrow account holds what it should. Support
// and the ledger may read it. Errors: KindNotFound.
func (s *Service) Reconcile(ctx context.Context, a Actor) (*Reconciliation, error) {
	if err := s.authorize(a.roleRelations(), "reconciliation", "read"); err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	rows, err := db.Raw(`SELECT m.*,
		COALESCE(SUM(CASE WHEN i.kind = 'hold' AND i.status = 'acked' THEN i.amount END), 0) AS ledger_held,
		COALESCE(SUM(CASE WHEN i.kind = 'release' AND i.status = 'acked' THEN i.amount END), 0) AS ledger_released,
		COALESCE(SUM(CASE WHEN i.kind = 'return' AND i.status = 'acked' THEN i.amount END), 0) AS ledger_returned,
		COALESCE(SUM(CASE WHEN i.kind IN ('release', 'return') AND i.status = 'pending' THEN i.amount END), 0) AS ledger_pending,
		(SELECT SUM(e.amount) FROM ledger_entries e WHERE e.account = 'escrow:' || m.id) AS escrow
		FROM milestones m LEFT JOIN ledger_instructions i ON i.milestone_id = m.id
		GROUP BY m.id ORDER BY m.id`).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &Reconciliation{Mismatches: []MilestoneRecon{}, Totals: []CurrencyTotals{}}
	totals := map[string]*CurrencyTotals{}
	for rows.Next() {
		var r reconRow
		if err := db.ScanRows(rows, &r); err != nil {
			return nil, err
		}
		out.Milestones++
		rec := reconcileMilestone(&r)
		t := totals[rec.Currency]
		if t == nil {
			t = &CurrencyTotals{Currency: rec.Currency}
			totals[rec.Currency] = t
		}
		t.Held += rec.Held
		t.Released += rec.Released
		t.Returned += rec.Returned
		t.Pending += rec.Pending
		t.Failed += rec.Failed
		t.InEscrow += rec.Held - rec.Released - rec.Returned
		if len(rec.Problems) > 0 {
			out.Mismatches = append(out.Mismatches, rec)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, t := range totals {
		out.Totals = append(out.Totals, *t)
	}
	sort.Slice(out.Totals, func(i, j int) bool { return out.Totals[i].Currency < out.Totals[j].Currency })
	q := db.Model(&models.Instruction{})
	if err := q.Where("status = ?", models.InstructionPending).Count(&out.PendingInstructions).Error; err != nil {
		return nil, err
	}
	if err := db.Model(&models.Instruction{}).Where("status = ?", models.InstructionRejected).
		Where("id NOT IN (?)", db.Model(&models.Instruction{}).Select("retry_of").Where("retry_of IS NOT NULL")).
		Count(&out.RejectedInstructions).Error; err != nil {
		return nil, err
	}
	var unbalanced int64
	err = db.Raw(`SELECT COUNT(*) FROM (SELECT currency FROM ledger_entries GROUP BY currency HAVING SUM(amount) <> 0) x`).
		Scan(&unbalanced).Error
	out.JournalBalanced = unbalanced == 0
	return out, err
}

func reconcileMilestone(r *reconRow) MilestoneRecon {
	m := &r.Milestone
	rec := MilestoneRecon{MilestoneID: m.ID, Currency: m.Currency, State: m.State, Amount: m.Amount,
		Held: r.LedgerHeld, Released: m.ReleasedAmount, Returned: m.ReturnedAmount, Pending: m.PendingAmount, Failed: m.FailedAmount}
	problem := func(format string, args ...any) { rec.Problems = append(rec.Problems, fmt.Sprintf(format, args...)) }
	if out := m.ReleasedAmount + m.ReturnedAmount + m.PendingAmount + m.FailedAmount; out > r.LedgerHeld {
		problem("released+returned+pending+failed %d exceeds held %d", out, r.LedgerHeld)
	}
	if r.LedgerHeld != 0 && r.LedgerHeld != m.Amount {
		problem("ledger held %d, milestone amount %d", r.LedgerHeld, m.Amount)
	}
	if m.ReleasedAmount != r.LedgerReleased || m.ReturnedAmount != r.LedgerReturned {
		problem("milestone released/returned %d/%d, ledger acknowledged %d/%d", m.ReleasedAmount, m.ReturnedAmount, r.LedgerReleased, r.LedgerReturned)
	}
	if m.PendingAmount != r.LedgerPending {
		problem("milestone pending %d, instructions pending %d", m.PendingAmount, r.LedgerPending)
	}
	closed := m.State == models.MilestoneReleased || m.State == models.MilestoneReturned || m.State == models.MilestoneSplit
	if closed && m.ReleasedAmount+m.ReturnedAmount != m.Amount {
		problem("closed as %s but released+returned %d != amount %d", m.State, m.ReleasedAmount+m.ReturnedAmount, m.Amount)
	}
	if r.Escrow != nil && *r.Escrow != r.LedgerHeld-r.LedgerReleased-r.LedgerReturned {
		problem("escrow account holds %d, expected %d", *r.Escrow, r.LedgerHeld-r.LedgerReleased-r.LedgerReturned)
	}
	return rec
}
