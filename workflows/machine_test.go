package workflows

import (
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/policies"
)

// The rules of PRODUCT.md written out by hand, independently of Machine:
// who may take each action in each stage.
var allowedByStage = map[Stage]map[Action][]string{
	StageAwaitingResponse: {
		ActionAcceptClaim: {"respondent"}, ActionOffer: {"respondent"}, ActionWithdraw: {"claimant"}, ActionExpire: {"system"},
		ActionEvidence: {"claimant", "respondent"},
	},
	StageNegotiation: {
		ActionOffer: {"claimant", "respondent"}, ActionAcceptOffer: {"claimant", "respondent"},
		ActionRejectOffer: {"claimant", "respondent"}, ActionPayFee: {"claimant", "respondent"},
		ActionFeeConfirmed: {"system"}, ActionWithdraw: {"claimant"}, ActionEvidence: {"claimant", "respondent"},
	},
	StageFinalOffers: {
		ActionOffer: {"claimant", "respondent"}, ActionAcceptOffer: {"claimant", "respondent"},
		ActionRejectOffer: {"claimant", "respondent"}, ActionPayFee: {"claimant", "respondent"},
		ActionFeeConfirmed: {"system"}, ActionAssign: {"support"}, ActionWithdraw: {"claimant"}, ActionExpire: {"system"},
		ActionEvidence: {"claimant", "respondent"},
	},
	StageArbitration: {ActionAssign: {"support"}, ActionDecide: {"assigned arbitrator"}},
}

// What each caller may do in some stage; outside it the policy answers 403.
var mayEver = map[string][]Action{
	"claimant":            {ActionOffer, ActionAcceptOffer, ActionRejectOffer, ActionPayFee, ActionWithdraw, ActionEvidence},
	"respondent":          {ActionAcceptClaim, ActionOffer, ActionAcceptOffer, ActionRejectOffer, ActionPayFee, ActionEvidence},
	"assigned arbitrator": {ActionDecide},
	"support":             {ActionAssign},
	"system":              {ActionFeeConfirmed, ActionExpire},
}

// Every caller x every action x every stage, for a case filed by the
// freelancer and for one filed by the employer.
func TestEveryCallerActionAndStage(t *testing.T) {
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{authz: authz}
	arb := "arb-1"
	for _, claimant := range []string{"emp", "fl"} {
		respondent := map[string]string{"emp": "fl", "fl": "emp"}[claimant]
		d := &models.Dispute{EmployerID: "emp", FreelancerID: "fl", ClaimantID: claimant, RespondentID: respondent, ArbitratorID: &arb}
		callers := map[string][]policies.Relation{
			"claimant":               disputeRelations(Actor{ID: claimant}, d),
			"respondent":             disputeRelations(Actor{ID: respondent}, d),
			"assigned arbitrator":    disputeRelations(Actor{ID: arb, Roles: []string{"arbitrator"}}, d),
			"unassigned arbitrator":  disputeRelations(Actor{ID: "arb-2", Roles: []string{"arbitrator"}}, d),
			"arbitrator id, no role": disputeRelations(Actor{ID: arb}, d),
			"support":                disputeRelations(Actor{ID: "sup", Roles: []string{"support"}}, d),
			"ledger":                 disputeRelations(Actor{ID: "led", Roles: []string{"ledger"}}, d),
			"stranger":               disputeRelations(Actor{ID: "x"}, d),
			"system":                 systemRelations,
		}
		for _, stage := range Stages {
			for _, action := range Actions {
				if action == ActionFile {
					continue
				}
				for name, rels := range callers {
					_, err := s.transition(stage, action, rels)
					want := Kind(0)
					switch {
					case slices.Contains(allowedByStage[stage][action], name):
					case mayEver[name] == nil && name != "support":
						want = KindNotFound
					case slices.Contains(mayEver[name], action):
						want = KindConflict
					default:
						want = KindForbidden
					}
					got := Kind(0)
					if we, ok := AsError(err); ok {
						got = we.Kind
					} else if err != nil {
						t.Fatal(err)
					}
					if got != want {
						t.Errorf("claimant %s, %s, %s by %s: kind %d, want %d (%v)", claimant, stage, action, name, got, want, err)
					}
				}
			}
		}
	}
}

// Every row of the machine has a policy line, so no row is dead.
func TestEveryTransitionHasAPolicyLine(t *testing.T) {
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range Machine {
		if !authz.Allowed([]policies.Relation{tr.Who}, "dispute", string(tr.Action)) {
			t.Errorf("%s %s by %s has no policy line", tr.From, tr.Action, tr.Who)
		}
	}
}

var update = flag.Bool("update", false, "rewrite the README's lifecycle section")

// The README's lifecycle diagram and table are generated from Machine.
func TestReadmeDiagramMatchesMachine(t *testing.T) {
	const path, begin, end = "../README.md", "<!-- lifecycle:begin -->\n", "<!-- lifecycle:end -->"
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	head, rest, ok1 := strings.Cut(string(readme), begin)
	current, tail, ok2 := strings.Cut(rest, end)
	if !ok1 || !ok2 {
		t.Fatal("README.md lacks the lifecycle markers")
	}
	want := "```mermaid\n" + Diagram() + "```\n\n" + Table()
	if *update {
		if err := os.WriteFile(path, []byte(head+begin+want+end+tail), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if current != want {
		t.Fatalf("README.md's lifecycle section is out of date; run go test ./workflows -run Readme -update")
	}
}

func TestFee(t *testing.T) {
	r := DefaultRules()
	for total, want := range map[int64]int64{1: 500, 10000: 500, 10001: 500, 20000: 1000, 100000: 5000, 100010: 5001, 100009: 5000} {
		if got := r.Fee(total); got != want {
			t.Errorf("fee on %d = %d, want %d", total, got, want)
		}
	}
}
