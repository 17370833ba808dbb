package main

import "testing"

// From pgbench 15 on this machine, trimmed.
const pgbench15 = `pgbench (15.20 (Debian 15.20-0+deb12u1))
starting vacuum...end.
transaction type: <builtin: TPC-B (sort of)>
scaling factor: 10
query mode: prepared
number of clients: 4
number of threads: 2
maximum number of tries: 1
duration: 15 s
number of transactions actually processed: 27311
number of failed transactions: 0 (0.000%)
latency average = 2.196 ms
initial connection time = 5.139 ms
tps = 1821.381215 (without initial connection time)
`

// PostgreSQL 13 and older print two tps lines.
const pgbench13 = `latency average = 4.012 ms
tps = 996.100000 (including connections establishing)
tps = 997.250000 (excluding connections establishing)
`

func TestParsePgbench(t *testing.T) {
	for _, tc := range []struct {
		name         string
		out          string
		tps, latency float64
	}{
		{"15", pgbench15, 1821.381215, 2.196},
		{"13", pgbench13, 997.25, 4.012},
	} {
		tps, lat, err := parsePgbench(tc.out)
		if err != nil || tps != tc.tps || lat != tc.latency {
			t.Errorf("%s: tps %v latency %v err %v; want %v and %v", tc.name, tps, lat, err, tc.tps, tc.latency)
		}
	}
}

func TestParsePgbenchWithoutTPS(t *testing.T) {
	for _, out := range []string{"", "pgbench: error: connection to server failed\n", "tps = many (without initial connection time)\n"} {
		if tps, _, err := parsePgbench(out); err == nil {
			t.Errorf("%q: tps %v, want an error", out, tps)
		}
	}
}
