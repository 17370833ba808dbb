package main

import (
	"path/filepath"
	"testing"
)

func TestLedgerExecutesOnceAndSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	l, err := OpenLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	hold := Instruction{ID: "ins_1", Kind: "hold", Currency: "USD", Amount: 1000, FromAccount: "user:emp", ToAccount: "escrow:m1"}
	ref, first := l.Execute(hold)
	if !first || ref == "" {
		t.Fatalf("first execution: %q %v", ref, first)
	}
	if again, first := l.Execute(hold); first || again != ref {
		t.Fatalf("a repeat moved money or changed the reference: %q %v", again, first)
	}
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	reopened, err := OpenLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, first := reopened.Execute(hold); first {
		t.Fatal("executed again after a restart")
	}
	reopened.Execute(Instruction{ID: "ins_2", Kind: "release", Currency: "USD", Amount: 400, FromAccount: "escrow:m1", ToAccount: "user:fl"})
	r := reopened.Report(Stats{})
	if !r.Balanced || r.Executed != 2 || r.Balances["escrow:m1"]["USD"] != 600 || r.Balances["user:emp"]["USD"] != -1000 {
		t.Fatalf("report %+v", r)
	}
}
