package models

import "time"

// Project is a contract between one employer and one freelancer in one currency.
type Project struct {
	ID           string    `gorm:"primaryKey" json:"id"`
	Title        string    `json:"title"`
	EmployerID   string    `json:"employer_id"`
	FreelancerID string    `json:"freelancer_id"`
	Currency     string    `json:"currency"`
	CreatedAt    time.Time `json:"created_at"`
}

// Milestone states. A milestone is pending until the ledger confirms the hold.
const (
	MilestonePending      = "pending"
	MilestoneHoldRejected = "hold_rejected"
	MilestoneHeld         = "held"
	MilestoneDisputed     = "disputed"
	MilestoneReleased     = "released"
	MilestoneReturned     = "returned"
	MilestoneSplit        = "split"
	// MilestonePayoutFailed: the ledger rejected part of a dispute's verdict;
	// that money stays committed to the verdict until support retries it.
	MilestonePayoutFailed = "payout_failed"
)

// Milestone is money held in escrow for one piece of work. Released and
// returned amounts only move when the ledger acknowledges an instruction;
// PendingAmount is what instructions not yet acknowledged will take out.
type Milestone struct {
	ID             string    `gorm:"primaryKey" json:"id"`
	ProjectID      string    `json:"project_id"`
	Description    string    `json:"description"`
	Currency       string    `json:"currency"`
	Amount         int64     `json:"amount"`
	ReleasedAmount int64     `json:"released_amount"`
	ReturnedAmount int64     `json:"returned_amount"`
	PendingAmount  int64     `json:"pending_amount"`
	FailedAmount   int64     `json:"failed_amount"`
	State          string    `json:"state"`
	DisputeID      *string   `json:"dispute_id"`
	Ops            int64     `json:"-"` // counts money movements; part of instruction keys
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `gorm:"autoUpdateTime:false" json:"updated_at"` // set by workflows' clock
}

// Available is what can still be released or returned.
func (m *Milestone) Available() int64 {
	if m.State == MilestonePending || m.State == MilestoneHoldRejected {
		return 0
	}
	return m.Amount - m.ReleasedAmount - m.ReturnedAmount - m.PendingAmount - m.FailedAmount
}

// Instruction kinds and statuses.
const (
	KindHold      = "hold"
	KindRelease   = "release"
	KindReturn    = "return"
	KindFeeCharge = "fee_charge"
	KindFeeRefund = "fee_refund"

	InstructionPending  = "pending"
	InstructionAcked    = "acked"
	InstructionRejected = "rejected"
)

// Instruction is one money movement the ledger must execute exactly once.
// Seq orders the feed; IdempotencyKey is derived from the decision that
// caused it so a retried decision can never write a second one.
type Instruction struct {
	Seq            int64      `gorm:"primaryKey;autoIncrement" json:"-"`
	ID             string     `json:"id"`
	IdempotencyKey string     `json:"idempotency_key"`
	Kind           string     `json:"kind"`
	Status         string     `json:"status"`
	Currency       string     `json:"currency"`
	Amount         int64      `json:"amount"`
	FromAccount    string     `json:"from_account"`
	ToAccount      string     `json:"to_account"`
	ProjectID      string     `json:"project_id"`
	MilestoneID    *string    `json:"milestone_id"`
	DisputeID      *string    `json:"dispute_id"`
	RetryOf        *string    `json:"retry_of"`
	Reference      string     `json:"reference"`
	Reason         string     `json:"reason"`
	CreatedAt      time.Time  `json:"created_at"`
	SettledAt      *time.Time `json:"settled_at"`
}

// LedgerEntry is one leg of the embedded ledger's double-entry journal; the
// legs of an instruction sum to zero.
type LedgerEntry struct {
	ID            int64 `gorm:"primaryKey;autoIncrement"`
	InstructionID string
	Account       string
	Currency      string
	Amount        int64
	CreatedAt     time.Time
}

// IdempotencyRecord remembers the first successful answer to a POST carrying
// an Idempotency-Key, per caller.
type IdempotencyRecord struct {
	UserID       string `gorm:"primaryKey"`
	Key          string `gorm:"primaryKey"`
	RequestHash  string
	StatusCode   int
	ResponseBody []byte
	CreatedAt    time.Time
}

// TableName keeps the table name explicit.
func (IdempotencyRecord) TableName() string { return "idempotency_keys" }

// TableName keeps the table name explicit.
func (Instruction) TableName() string { return "ledger_instructions" }
