package workflows

import (
	"fmt"
	"slices"
	"strings"

	"github.com/disputed/disputed/policies"
)

// Stage is where a dispute is in its lifecycle.
type Stage string

// The stages, as in PRODUCT.md: 1 awaiting response, 2 negotiation,
// 3 final offers (one fee paid), 4 arbitration; then closed.
const (
	StageAwaitingResponse Stage = "awaiting_response"
	StageNegotiation      Stage = "negotiation"
	StageFinalOffers      Stage = "final_offers"
	StageArbitration      Stage = "arbitration"
	StageResolved         Stage = "resolved"
	StageWithdrawn        Stage = "withdrawn"
)

// Stages lists every stage, in lifecycle order.
var Stages = []Stage{StageAwaitingResponse, StageNegotiation, StageFinalOffers, StageArbitration, StageResolved, StageWithdrawn}

// Action is something a caller (or the system) does to a dispute. Each is
// also a Casbin action on object "dispute".
type Action string

// Actions. FeeConfirmed and Expire are taken by the system: the first when
// the ledger acknowledges a fee charge, the second when a deadline passes.
const (
	ActionFile         Action = "file"
	ActionAcceptClaim  Action = "accept"
	ActionOffer        Action = "offer"
	ActionAcceptOffer  Action = "accept_offer"
	ActionRejectOffer  Action = "reject_offer"
	ActionPayFee       Action = "pay_fee"
	ActionWithdraw     Action = "withdraw"
	ActionAssign       Action = "assign_arbitrator"
	ActionDecide       Action = "decide"
	ActionFeeConfirmed Action = "fee_confirmed"
	ActionExpire       Action = "expire"
	ActionEvidence     Action = "submit_evidence"
)

// Actions lists every action.
var Actions = []Action{ActionFile, ActionAcceptClaim, ActionOffer, ActionAcceptOffer, ActionRejectOffer,
	ActionPayFee, ActionWithdraw, ActionAssign, ActionDecide, ActionFeeConfirmed, ActionExpire, ActionEvidence}

// Deadline kinds a transition can start.
const (
	DeadlineResponse = "response"
	DeadlineFee      = "fee"
)

// Transition is one row of the machine: in stage From, relation Who may take
// Action when Guard holds; the case moves to To and Starts a deadline (if
// any). A stage left for another clears the deadline it had.
type Transition struct {
	From   Stage
	Action Action
	Who    policies.Relation
	Guard  string
	To     Stage
	Starts string
}

// Machine is the dispute lifecycle. Reading it top to bottom is reading
// PRODUCT.md's rules; the README's diagram is generated from it.
var Machine = []Transition{
	{"", ActionFile, policies.Party, "held milestones of one project, none disputed", StageAwaitingResponse, DeadlineResponse},

	{StageAwaitingResponse, ActionAcceptClaim, policies.Respondent, "", StageResolved, ""},
	{StageAwaitingResponse, ActionOffer, policies.Respondent, "counter-offer", StageNegotiation, ""},
	{StageAwaitingResponse, ActionWithdraw, policies.Claimant, "", StageWithdrawn, ""},
	{StageAwaitingResponse, ActionExpire, policies.System, "response window passed", StageResolved, ""},
	{StageAwaitingResponse, ActionEvidence, policies.Party, "", StageAwaitingResponse, ""},

	{StageNegotiation, ActionOffer, policies.Party, "replaces the party's open offer", StageNegotiation, ""},
	{StageNegotiation, ActionAcceptOffer, policies.Party, "the other party's open offer", StageResolved, ""},
	{StageNegotiation, ActionRejectOffer, policies.Party, "the other party's open offer", StageNegotiation, ""},
	{StageNegotiation, ActionPayFee, policies.Party, "own fee unpaid", StageNegotiation, ""},
	{StageNegotiation, ActionFeeConfirmed, policies.System, "ledger acknowledged the first fee", StageFinalOffers, DeadlineFee},
	{StageNegotiation, ActionWithdraw, policies.Claimant, "", StageWithdrawn, ""},
	{StageNegotiation, ActionEvidence, policies.Party, "", StageNegotiation, ""},

	{StageFinalOffers, ActionOffer, policies.Party, "replaces the party's open offer", StageFinalOffers, ""},
	{StageFinalOffers, ActionAcceptOffer, policies.Party, "the other party's open offer", StageResolved, ""},
	{StageFinalOffers, ActionRejectOffer, policies.Party, "the other party's open offer", StageFinalOffers, ""},
	{StageFinalOffers, ActionPayFee, policies.Party, "own fee unpaid", StageFinalOffers, ""},
	{StageFinalOffers, ActionFeeConfirmed, policies.System, "ledger acknowledged the second fee", StageArbitration, ""},
	{StageFinalOffers, ActionAssign, policies.Support, "arbitrator not a party", StageFinalOffers, ""},
	{StageFinalOffers, ActionWithdraw, policies.Claimant, "", StageWithdrawn, ""},
	{StageFinalOffers, ActionExpire, policies.System, "fee window passed, other fee unpaid", StageResolved, ""},
	{StageFinalOffers, ActionEvidence, policies.Party, "last chance: evidence closes at arbitration", StageFinalOffers, ""},

	{StageArbitration, ActionAssign, policies.Support, "arbitrator not a party", StageArbitration, ""},
	{StageArbitration, ActionDecide, policies.AssignedArbitrator, "", StageResolved, ""},
}

// transition finds the row for action in stage that one of rels may take.
// Errors: KindNotFound (may not read the case), KindForbidden (the policy
// denies the action to every relation the caller has), KindConflict (the
// stage does not allow it).
func (s *Service) transition(stage Stage, action Action, rels []policies.Relation) (*Transition, error) {
	if err := s.authorize(rels, "dispute", string(action)); err != nil {
		return nil, err
	}
	for i, t := range Machine {
		if t.From == stage && t.Action == action && slices.Contains(rels, t.Who) {
			return &Machine[i], nil
		}
	}
	return nil, conflict("invalid_transition", "%s is not possible while the dispute is %s", action, stage)
}

// from names the transition's stage, or initial for filing.
func (t Transition) from(initial string) string {
	if t.From == "" {
		return initial
	}
	return string(t.From)
}

// Diagram draws Machine as a Mermaid state diagram.
func Diagram() string {
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	for _, t := range Machine {
		from := t.from("[*]")
		label := fmt.Sprintf("%s (%s)", t.Action, t.Who)
		if t.Starts != "" {
			label += ", starts " + t.Starts + " window"
		}
		fmt.Fprintf(&b, "    %s --> %s: %s\n", from, t.To, label)
	}
	b.WriteString("    resolved --> [*]\n    withdrawn --> [*]\n")
	return b.String()
}

// Table renders Machine as a Markdown table, for the README.
func Table() string {
	var b strings.Builder
	b.WriteString("| from | action | who | guard | to | starts |\n|---|---|---|---|---|---|\n")
	for _, t := range Machine {
		from := t.from("(new)")
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", from, t.Action, t.Who, t.Guard, t.To, t.Starts)
	}
	return b.String()
}
