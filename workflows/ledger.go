package workflows

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/disputed/disputed/models"
)

func userAccount(id string) string   { return "user:" + id }
func escrowAccount(id string) string { return "escrow:" + id }

// emit writes a pending instruction in the caller's transaction. Errors:
// KindConflict if an instruction with the same idempotency key exists.
func (s *Service) emit(tx *gorm.DB, ins *models.Instruction) (*models.Instruction, error) {
	ins.ID = newID("ins")
	ins.Status = models.InstructionPending
	ins.CreatedAt = s.now()
	err := tx.Create(ins).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, conflict("duplicate_instruction", "instruction %s was already written", ins.IdempotencyKey)
	}
	if err != nil {
		return nil, err
	}
	return ins, s.enqueue(tx, "evt_"+ins.ID+"_created", "instruction.created", FeedItem{Seq: ins.Seq, Instruction: *ins})
}

// FeedItem is an instruction as the ledger reads it, with its feed position.
type FeedItem struct {
	Seq int64 `json:"seq"`
	// Cursor is the position just after this item, for after=; webhook
	// deliveries, written before the position exists, leave it out.
	Cursor string `json:"cursor,omitempty"`
	models.Instruction
}

// Feed is one page of the instruction feed.
type Feed struct {
	Items []FeedItem `json:"items"`
	// NextAfter is the cursor to pass as after= for the next page; it equals
	// the request's cursor when there is nothing new.
	NextAfter string `json:"next_after"`
}

// feedPos is a position in the feed: the writing transaction's id and the
// row's seq. The feed shows only rows of transactions that have ended, in
// (transaction, seq) order; any transaction still to commit has a larger id
// than all of them, so a reader past a position never finds a new row
// behind it. (On SQLite, with one writer, the transaction part is 0.)
type feedPos struct {
	tx  uint64
	seq int64
}

func (p feedPos) String() string {
	return strconv.FormatUint(p.tx, 10) + "." + strconv.FormatInt(p.seq, 10)
}

func parseFeedPos(s string) (feedPos, error) {
	if s == "" || s == "0" {
		return feedPos{}, nil
	}
	tx, seq, ok := strings.Cut(s, ".")
	p := feedPos{}
	var err1, err2 error
	p.tx, err1 = strconv.ParseUint(tx, 10, 64)
	p.seq, err2 = strconv.ParseInt(seq, 10, 64)
	if !ok || err1 != nil || err2 != nil || p.seq < 0 {
		return p, Invalid([]FieldError{{Field: "after", Reason: "must be a cursor from a previous page"}})
	}
	return p, nil
}

// CheckFeed refuses to serve when the database's transaction counter is
// behind the feed's positions, which happens after a dump is restored into
// a new cluster: new instructions would sort behind every ledger's cursor
// and never be read. Restoring needs the counter advanced first (README).
func (s *Service) CheckFeed(ctx context.Context) error {
	if s.db.Dialect != models.Postgres {
		return nil
	}
	var behind bool
	err := s.db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM ledger_instructions
		WHERE txid >= pg_snapshot_xmax(pg_current_snapshot()))`).Scan(&behind).Error
	if err == nil && behind {
		err = errors.New("the database's transaction counter is behind the ledger feed's positions " +
			"(was it restored into a new cluster?); new instructions would be invisible to ledgers: see the README")
	}
	return err
}

// InstructionFeed lists instructions after the cursor in feed order.
// Errors: KindNotFound for callers who are not the ledger or support;
// KindInvalid (a cursor not from this feed).
func (s *Service) InstructionFeed(ctx context.Context, a Actor, after string, limit int) (*Feed, error) {
	if err := s.authorize(a.roleRelations(), "instruction", "read"); err != nil {
		return nil, err
	}
	pos, err := parseFeedPos(after)
	if err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Table("ledger_instructions").Select("ledger_instructions.*, CAST(txid AS TEXT) AS tx")
	if s.db.Dialect == models.Postgres {
		q = q.Where("(txid, seq) > (CAST(? AS xid8), ?)", strconv.FormatUint(pos.tx, 10), pos.seq).
			Where("txid < pg_snapshot_xmin(pg_current_snapshot())")
	} else {
		q = q.Where("(txid, seq) > (?, ?)", pos.tx, pos.seq)
	}
	var rows []struct {
		models.Instruction
		Tx string
	}
	if err := q.Order("txid, seq").Limit(PageRequest{Limit: limit}.limit()).Find(&rows).Error; err != nil {
		return nil, err
	}
	feed := &Feed{Items: make([]FeedItem, len(rows)), NextAfter: pos.String()}
	for i, r := range rows {
		tx, _ := strconv.ParseUint(r.Tx, 10, 64)
		next := feedPos{tx: tx, seq: r.Seq}.String()
		feed.Items[i] = FeedItem{Seq: r.Seq, Cursor: next, Instruction: r.Instruction}
		feed.NextAfter = next
	}
	return feed, nil
}

// AckInstruction records that the ledger executed an instruction, and moves
// the money it describes. A second ack is harmless and changes nothing.
// Errors: KindNotFound; KindForbidden; KindConflict (already rejected).
func (s *Service) AckInstruction(ctx context.Context, a Actor, id, reference string) (*models.Instruction, error) {
	return s.answerInstruction(ctx, a, id, "ack", models.InstructionAcked, reference)
}

// RejectInstruction records that the ledger refused an instruction; the
// money it would have moved stays where it was, visible on the milestone.
// Errors as AckInstruction (already acknowledged is a conflict).
func (s *Service) RejectInstruction(ctx context.Context, a Actor, id, reason string) (*models.Instruction, error) {
	return s.answerInstruction(ctx, a, id, "reject", models.InstructionRejected, reason)
}

func (s *Service) answerInstruction(ctx context.Context, a Actor, id, action, status, text string) (*models.Instruction, error) {
	if err := s.authorize(a.roleRelations(), "instruction", action); err != nil {
		return nil, err
	}
	if s.embedded {
		return nil, conflict("ledger_embedded", "the embedded ledger executes instructions here; run with DISPUTED_LEDGER=external to answer them from outside")
	}
	return inTx(ctx, s, func(tx *gorm.DB) (*models.Instruction, error) {
		var ins models.Instruction
		if err := first(lockForUpdate(tx), "instruction", &ins, id); err != nil {
			return nil, err
		}
		switch ins.Status {
		case status:
			return &ins, nil
		case models.InstructionPending:
			return &ins, s.settle(tx, &ins, status, text)
		}
		return nil, conflict("instruction_already_"+ins.Status, "the instruction was already %s", ins.Status)
	})
}

// settle applies the ledger's answer to an instruction and to what it moves.
func (s *Service) settle(tx *gorm.DB, ins *models.Instruction, status, text string) error {
	now := s.now()
	ins.Status, ins.SettledAt = status, &now
	if status == models.InstructionAcked {
		ins.Reference = text
	} else {
		ins.Reason = text
	}
	if err := tx.Save(ins).Error; err != nil {
		return err
	}
	if err := s.enqueue(tx, "evt_"+ins.ID+"_"+status, "instruction."+status, FeedItem{Seq: ins.Seq, Instruction: *ins}); err != nil {
		return err
	}
	if ins.MilestoneID == nil {
		return s.settleFee(tx, ins)
	}
	var m models.Milestone
	if err := first(lockForUpdate(tx), "milestone", &m, *ins.MilestoneID); err != nil {
		return err
	}
	acked := status == models.InstructionAcked
	switch ins.Kind {
	case models.KindHold:
		m.State = models.MilestoneHoldRejected
		if acked {
			m.State = models.MilestoneHeld
		}
	case models.KindRelease, models.KindReturn:
		m.PendingAmount -= ins.Amount
		switch {
		case acked && ins.Kind == models.KindRelease:
			m.ReleasedAmount += ins.Amount
		case acked:
			m.ReturnedAmount += ins.Amount
		case ins.DisputeID != nil:
			// A verdict is final: its money stays committed to it, visible as
			// failed, until support retries the instruction.
			m.FailedAmount += ins.Amount
		}
		settleState(&m)
	default:
		return fmt.Errorf("instruction %s: kind %s has no milestone effect", ins.ID, ins.Kind)
	}
	m.UpdatedAt = now
	return tx.Save(&m).Error
}

// RetryInstruction writes a new instruction for one the ledger rejected,
// when the service, not a user, decided it: a hold, a verdict's release or
// return, a fee refund. The new one carries a key derived from the old, so
// a retry is itself written once. Errors: KindNotFound; KindForbidden (not
// support); KindConflict (not rejected, not retryable, already retried).
func (s *Service) RetryInstruction(ctx context.Context, a Actor, id string) (*models.Instruction, error) {
	if err := s.authorize(a.roleRelations(), "instruction", "retry"); err != nil {
		return nil, err
	}
	return inTx(ctx, s, func(tx *gorm.DB) (*models.Instruction, error) {
		var old models.Instruction
		if err := first(lockForUpdate(tx), "instruction", &old, id); err != nil {
			return nil, err
		}
		switch {
		case old.Status != models.InstructionRejected:
			return nil, conflict("instruction_not_rejected", "only a rejected instruction can be retried; this one is %s", old.Status)
		case old.Kind == models.KindFeeCharge || old.DisputeID == nil && old.Kind != models.KindHold:
			return nil, conflict("instruction_not_retryable", "a rejected %s was the user's request; the user acts again instead", old.Kind)
		}
		var n int64
		if err := tx.Model(&models.Instruction{}).Where("retry_of = ?", old.ID).Count(&n).Error; err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, conflict("instruction_already_retried", "this instruction was already retried")
		}
		retry := old
		retry.Seq, retry.RetryOf, retry.Reference, retry.Reason, retry.SettledAt = 0, &old.ID, "", "", nil
		retry.IdempotencyKey = old.IdempotencyKey + ":retry:" + old.ID
		if _, err := s.emit(tx, &retry); err != nil {
			return nil, err
		}
		if old.MilestoneID == nil {
			return &retry, nil
		}
		var m models.Milestone
		if err := first(lockForUpdate(tx), "milestone", &m, *old.MilestoneID); err != nil {
			return nil, err
		}
		if old.Kind == models.KindHold {
			m.State = models.MilestonePending
		} else {
			m.FailedAmount -= old.Amount
			m.PendingAmount += old.Amount
			settleState(&m)
		}
		m.UpdatedAt = s.now()
		return &retry, tx.Save(&m).Error
	})
}

// RunEmbeddedLedger executes up to batch pending instructions in feed order
// as the embedded ledger: two journal legs each, then an ack, one
// instruction per transaction so a verdict's effects never wait on another
// case's locks. Instances on one PostgreSQL skip rows another is executing.
// Returns how many it executed.
func (s *Service) RunEmbeddedLedger(ctx context.Context, batch int) (int, error) {
	for n := 0; n < batch; n++ {
		done, err := inTx(ctx, s, s.executeNext)
		if err != nil || !done {
			return n, err
		}
	}
	return batch, nil
}

func (s *Service) executeNext(tx *gorm.DB) (bool, error) {
	q := tx.Where("status = ?", models.InstructionPending).Order("seq").Limit(1)
	if s.db.Dialect == models.Postgres {
		q = q.Clauses(skipLocked)
	}
	var pending []models.Instruction
	if err := q.Find(&pending).Error; err != nil || len(pending) == 0 {
		return false, err
	}
	ins := &pending[0]
	now := s.now()
	legs := []models.LedgerEntry{
		{InstructionID: ins.ID, Account: ins.FromAccount, Currency: ins.Currency, Amount: -ins.Amount, CreatedAt: now},
		{InstructionID: ins.ID, Account: ins.ToAccount, Currency: ins.Currency, Amount: ins.Amount, CreatedAt: now},
	}
	if err := tx.Create(&legs).Error; err != nil {
		return false, err
	}
	return true, s.settle(tx, ins, models.InstructionAcked, fmt.Sprintf("embedded:%d", legs[0].ID))
}

// Balance is an account's balance in one currency in the embedded journal.
type Balance struct {
	Account  string `json:"account"`
	Currency string `json:"currency"`
	Balance  int64  `json:"balance"`
}

// Balances reads the embedded ledger's balances; they sum to zero per
// currency. Errors: KindNotFound for callers other than support and the ledger.
func (s *Service) Balances(ctx context.Context, a Actor) ([]Balance, error) {
	if err := s.authorize(a.roleRelations(), "balance", "read"); err != nil {
		return nil, err
	}
	out := []Balance{}
	err := s.db.WithContext(ctx).Model(&models.LedgerEntry{}).
		Select("account, currency, SUM(amount) AS balance").
		Group("account, currency").Order("account, currency").Scan(&out).Error
	return out, err
}
