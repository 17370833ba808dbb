package policies

import (
	"slices"
	"strings"
	"testing"
)

// allowed is the whole policy as a table: every (relation, object/action)
// not listed is denied, and every policy line must appear here.
var allowed = map[string][]Relation{
	"project/create":     {User},
	"project/read":       {Employer, Freelancer, Support},
	"milestone/create":   {Employer},
	"milestone/read":     {Employer, Freelancer, Support},
	"milestone/release":  {Employer},
	"milestone/cancel":   {Freelancer},
	"instruction/read":   {Ledger, Support},
	"instruction/ack":    {Ledger},
	"instruction/reject": {Ledger},
	"instruction/retry":  {Support},
	"balance/read":       {Support, Ledger},

	"dispute/file":              {Party},
	"dispute/read":              {Party, AssignedArbitrator, Support, System},
	"dispute/accept":            {Respondent},
	"dispute/offer":             {Party, Respondent},
	"dispute/accept_offer":      {Party},
	"dispute/reject_offer":      {Party},
	"dispute/pay_fee":           {Party},
	"dispute/withdraw":          {Claimant},
	"dispute/assign_arbitrator": {Support},
	"dispute/decide":            {AssignedArbitrator},
	"dispute/fee_confirmed":     {System},
	"dispute/expire":            {System},
	"dispute/submit_evidence":   {Party},

	"conversation/read":            {Participant, Support, AssignedArbitrator},
	"conversation/post":            {Participant},
	"conversation/create":          {Party},
	"conversation/add_participant": {Party},
	"file/upload":                  {User},
	"report/create":                {User},
	"report/read":                  {Support},
	"sanction/create":              {Support},
	"sanction/read":                {Support},
	"webhook/create":               {Support},
	"webhook/read":                 {Support},
	"webhook/update":               {Support},
	"reconciliation/read":          {Support, Ledger},
}

func TestEveryRelationTimesEveryAction(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for objAct, rels := range allowed {
		obj, act, _ := strings.Cut(objAct, "/")
		for _, rel := range Relations {
			want := slices.Contains(rels, rel)
			if got := a.Allowed([]Relation{rel}, obj, act); got != want {
				t.Errorf("%s %s %s: allowed=%v, want %v", rel, obj, act, got, want)
			}
		}
	}
}

func TestPolicyHasNoLineMissingFromTable(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	lines, err := a.enforcer.GetPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) == 0 {
		t.Fatal("empty policy")
	}
	for _, l := range lines {
		if !slices.Contains(allowed[l[1]+"/"+l[2]], Relation(l[0])) {
			t.Errorf("policy line %v is not in the test table", l)
		}
	}
}

func TestAnyOfSeveralRelations(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if !a.Allowed([]Relation{User, Freelancer}, "milestone", "cancel") {
		t.Error("freelancer among relations should be allowed to cancel")
	}
	if a.Allowed(nil, "project", "read") {
		t.Error("no relation must be denied")
	}
}
