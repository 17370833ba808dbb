package main

import (
	"slices"
	"testing"
)

func TestSeedIDsSortAsTimeBelowServerIDs(t *testing.T) {
	ids := []string{seedID("dsp", 1), seedID("dsp", 9), seedID("dsp", 10), seedID("dsp", 1_000_000)}
	if !slices.IsSorted(ids) {
		t.Errorf("seeded ids out of index order: %q", ids)
	}
	// A server id: prefix and a UUIDv7 without dashes.
	if server := "dsp_019a2b3c4d5e7f00a1b2c3d4e5f60718"; seedID("dsp", 999_999_999_999) >= server {
		t.Errorf("seeded ids must sort below the server's: %s >= %s", seedID("dsp", 999_999_999_999), server)
	}
}

func TestPairIndex(t *testing.T) {
	const pairs = 1000
	for _, p := range []int{0, 1, 999} {
		for _, k := range []int{0, 1, 50} {
			i := pairIndex(p, k, pairs)
			if i < 1 || i%pairs != p {
				t.Errorf("pairIndex(%d, %d) = %d: not a case of pair %d", p, k, i, p)
			}
			if k > 0 && i-pairIndex(p, k-1, pairs) != pairs {
				t.Errorf("pairIndex(%d, %d) = %d: not the next case of the pair", p, k, i)
			}
		}
	}
	if pairIndex(0, 0, pairs) != pairs || pairIndex(7, 0, pairs) != 7 {
		t.Error("the oldest case of a pair is its smallest index from 1")
	}
}
