package main

import (
	"testing"
	"time"
)

func TestPaidOut(t *testing.T) {
	d, other := "dsp_1", "dsp_0"
	ins := func(kind, status string, dispute *string) instruction {
		return instruction{Kind: kind, Status: status, DisputeID: dispute}
	}
	for _, tc := range []struct {
		name string
		ins  []instruction
		want bool
	}{
		{"nothing written yet", []instruction{ins("hold", "acked", nil)}, false},
		{"release answered, return pending", []instruction{ins("hold", "acked", nil), ins("release", "acked", &d), ins("return", "pending", &d)}, false},
		{"both answered", []instruction{ins("hold", "acked", nil), ins("release", "acked", &d), ins("return", "acked", &d)}, true},
		{"a rejection is an answer", []instruction{ins("release", "rejected", &d)}, true},
		{"another case's payout", []instruction{ins("release", "acked", &other)}, false},
		{"a fee is no payout", []instruction{ins("fee_refund", "pending", &d), ins("release", "acked", &d)}, true},
	} {
		m := milestone{Instructions: tc.ins}
		if got := m.paidOut(d); got != tc.want {
			t.Errorf("%s: paidOut = %v", tc.name, got)
		}
	}
}

func TestDeepVsFirst(t *testing.T) {
	p := &Phase{Endpoints: []EndpointStats{
		{Name: "GET /v1/disputes [first page, party]", P50: 2},
		{Name: "GET /v1/disputes [deep page, party]", P50: 3},
		{Name: "GET /v1/disputes [first page, support]", P50: 0}, // no samples: no ratio
		{Name: "GET /v1/disputes [deep page, support]", P50: 1},
	}}
	p.deepVsFirst()
	if len(p.DeepVsFirst) != 1 || p.DeepVsFirst["party"] != 1.5 {
		t.Errorf("ratios %v, want party 1.5 only", p.DeepVsFirst)
	}
}

func TestDueTakesTheOldestReady(t *testing.T) {
	now := time.Now()
	at := func(d time.Duration) *lifecycle { return &lifecycle{readyAt: now.Add(d)} }
	if i, _ := due([]*lifecycle{at(time.Second), at(-time.Second), at(-2 * time.Second)}, now); i != 1 {
		t.Errorf("due = %d, want 1: the first ready in start order", i)
	}
	i, when := due([]*lifecycle{at(2 * time.Second), at(time.Second)}, now)
	if i != -1 || !when.Equal(now.Add(time.Second)) {
		t.Errorf("none ready: %d at %v, want -1 at the earliest", i, when.Sub(now))
	}
	if i, _ := due(nil, now); i != -1 {
		t.Errorf("no lifecycles: %d", i)
	}
}
