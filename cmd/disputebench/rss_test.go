package main

import (
	"context"
	"os"
	"strings"
	"testing"
)

func TestParseStatus(t *testing.T) {
	status := "Name:\tdisputed\nVmPeak:\t 1500000 kB\nVmHWM:\t   81920 kB\nVmRSS:\t   40960 kB\nThreads:\t9\n"
	rss, hwm, err := parseStatus(strings.NewReader(status))
	if err != nil || rss != 40 || hwm != 80 {
		t.Errorf("rss %v hwm %v err %v; want 40 and 80 MiB", rss, hwm, err)
	}
	if _, _, err := parseStatus(strings.NewReader("Name:\tkthreadd\n")); err == nil {
		t.Error("a status without VmRSS parsed")
	}
}

func TestParseStat(t *testing.T) {
	// The command name may hold spaces and parentheses.
	line := "4242 (my (odd) srv) S 1 4242 4242 0 -1 4194560 5000 0 0 0 250 130 0 0 20 0 9 0 100 2000000 8000 18446744073709551615"
	got, err := parseStat(line)
	if err != nil || got != 3.8 {
		t.Errorf("cpu %v, %v; want (250+130)/100 = 3.8s", got, err)
	}
	if _, err := parseStat("4242 (srv) S 1"); err == nil {
		t.Error("a short line parsed")
	}
}

func TestSampleOwnProcess(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*rssInterval)
	defer cancel()
	r := startSampler(ctx, os.Getpid()).wait()
	if r == nil || r.Err != "" || r.Samples < 2 || r.PeakRSSMiB <= 0 || r.HWMMiB < r.PeakRSSMiB || r.CPUSeconds < 0 {
		t.Errorf("sampled %+v", r)
	}
	if startSampler(context.Background(), 0).wait() != nil {
		t.Error("pid 0 sampled something")
	}
}
