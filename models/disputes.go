package models

import "time"

// Dispute is a case over one or more milestones of one project. Stage and
// outcome are only ever set by the workflows' transition table.
type Dispute struct {
	ID             string
	ProjectID      string
	ClaimantID     string
	ClaimantRole   string // employer or freelancer
	RespondentID   string
	Reason         string
	Description    string
	Currency       string
	TotalAmount    int64 // the disputed total: what was held in the milestones at filing
	ClaimAmount    int64 // what the claimant proposed goes to the freelancer
	Stage          string
	Outcome        *string
	ReleaseAmount  *int64
	ReturnAmount   *int64
	Rationale      string
	FeeAmount      int64
	EmployerFee    string // unpaid, pending, paid
	FreelancerFee  string
	FeeRefund      string // employer, freelancer, both, none: set when the case closes
	FirstPayer     string // the party whose fee escalated the case
	ArbitratorID   *string
	DeadlineAt     *time.Time
	DeadlineKind   string // response or fee
	Version        int64
	CreatedAt      time.Time
	UpdatedAt      time.Time `gorm:"autoUpdateTime:false"` // set by workflows' clock
	ResolvedAt     *time.Time
	EmployerID     string
	FreelancerID   string
	LastEventHash  string
	LastEventIndex int64
}

// DisputeMilestone is a milestone under dispute and the amount disputed in it.
type DisputeMilestone struct {
	DisputeID   string `gorm:"primaryKey"`
	MilestoneID string `gorm:"primaryKey"`
	Amount      int64
}

// Offer is one party's proposal of the amount released to the freelancer.
// A party's newer offer replaces its earlier one, which stays as history.
type Offer struct {
	ID            string    `json:"id"`
	DisputeID     string    `json:"dispute_id"`
	Party         string    `json:"party"` // employer or freelancer
	UserID        string    `json:"user_id"`
	ReleaseAmount int64     `json:"release_amount"`
	Note          string    `json:"note"`
	Status        string    `json:"status"` // open, replaced, accepted, rejected, closed
	CreatedAt     time.Time `json:"created_at"`
}

// DisputeEvent is one entry of a case's timeline. Hash chains it to the
// previous entry, so editing any stored event is detectable.
type DisputeEvent struct {
	ID        int64     `gorm:"primaryKey;autoIncrement" json:"-"`
	DisputeID string    `json:"dispute_id"`
	Index     int64     `gorm:"column:idx" json:"index"`
	Kind      string    `json:"kind"`
	ActorID   string    `json:"actor_id"`
	At        time.Time `json:"at"`
	Data      string    `json:"-"` // canonical JSON, hashed as stored
	PrevHash  string    `json:"prev_hash"`
	Hash      string    `json:"hash"`
}

// Arbitrator is a user seen with the arbitrator role, eligible for cases.
type Arbitrator struct {
	UserID    string `gorm:"primaryKey"`
	CreatedAt time.Time
}
