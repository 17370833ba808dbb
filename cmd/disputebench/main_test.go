package main

import (
	"io"
	"testing"
)

func TestParseFlagsTargetsLoopbackOnly(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{nil, true},
		{[]string{"--url", "http://localhost:18090"}, true},
		{[]string{"--url", "http://[::1]:18090"}, true},
		{[]string{"--url", "http://10.0.0.5:8080"}, false},
		{[]string{"--url", "http://example.com"}, false},
		{[]string{"--pg", "postgres://postgres@127.0.0.1:5432/x?sslmode=disable"}, true},
		{[]string{"--pg", "host=/var/run/postgresql dbname=x"}, true},
		{[]string{"--pg", "postgres://postgres@192.168.1.2/x"}, false},
		{[]string{"--mode", "read"}, false}, // seeding needs --pg
		{[]string{"--mode", "sideways"}, false},
		{[]string{"--workers", "0"}, false},
		{[]string{"--seed", "50000", "--pairs", "1000"}, false}, // 50 a party: no page beyond the first
		{[]string{"--seed", "51000", "--pairs", "1000"}, true},
	} {
		_, err := parseFlags(tc.args, io.Discard)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v, want ok=%v", tc.args, err, tc.ok)
		}
	}
}
