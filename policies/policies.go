// Package policies answers one question, "may a caller with these relations
// to a resource do this action?", from a Casbin model and policy embedded in
// the binary.
package policies

import (
	_ "embed"
	"fmt"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"
)

// Relation is what a caller is to a resource: a party derived from the data
// or a platform role from the token.
type Relation string

// Relations. User is every authenticated caller; Party is either side of a
// dispute; System is the service itself (deadlines, ledger answers).
const (
	User               Relation = "user"
	Employer           Relation = "employer"
	Freelancer         Relation = "freelancer"
	Party              Relation = "party"
	Claimant           Relation = "claimant"
	Respondent         Relation = "respondent"
	Support            Relation = "support"
	Ledger             Relation = "ledger"
	Arbitrator         Relation = "arbitrator"
	AssignedArbitrator Relation = "assigned_arbitrator"
	System             Relation = "system"
	Participant        Relation = "participant"
)

// Relations lists every relation, for exhaustive policy tests.
var Relations = []Relation{User, Employer, Freelancer, Party, Claimant, Respondent, Support, Ledger, Arbitrator, AssignedArbitrator, System, Participant}

//go:embed model.conf
var modelText string

//go:embed policy.csv
var policyText string

// Authorizer is safe for concurrent use: the policy is static, so Casbin's
// cached enforcer remembers each decision after evaluating it once (a
// plain Enforce walks every policy line, tens of microseconds).
type Authorizer struct {
	enforcer *casbin.CachedEnforcer
}

// New loads the embedded model and policy.
func New() (*Authorizer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("casbin model: %w", err)
	}
	e, err := casbin.NewCachedEnforcer(m, stringadapter.NewAdapter(policyText))
	if err != nil {
		return nil, fmt.Errorf("casbin policy: %w", err)
	}
	return &Authorizer{enforcer: e}, nil
}

// Allowed reports whether any of the relations may perform action on object.
func (a *Authorizer) Allowed(relations []Relation, object, action string) bool {
	for _, rel := range relations {
		ok, err := a.enforcer.Enforce(string(rel), object, action)
		if err == nil && ok {
			return true
		}
	}
	return false
}
