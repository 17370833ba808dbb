package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

func printHeader(w io.Writer, r *Report, cfg config) {
	fmt.Fprintf(w, "disputebench: %d cores (GOMAXPROCS %d), server %s, mode %s, %d workers, %s per phase\n",
		r.Cores, r.GOMAXPROCS, r.URL, cfg.mode, cfg.workers, cfg.duration)
}

func printPhase(w io.Writer, p *Phase) {
	fmt.Fprintf(w, "\n== %s: %d workers, %.1fs", p.Mode, p.Workers, p.Seconds)
	if p.Ledger != "" {
		fmt.Fprintf(w, ", ledger %s", p.Ledger)
	}
	fmt.Fprintln(w)
	if s := p.Seed; s != nil {
		fmt.Fprintf(w, "seed              %d disputes over %d pairs: %d already there, %d inserted in %.1fs, vacuum+analyze %.1fs\n",
			s.Disputes, s.Pairs, s.Existing, s.Inserted, s.InsertSeconds, s.VacuumSeconds)
	}
	if p.Mode == "write" {
		fmt.Fprintf(w, "lifecycles        %d done (%.2f/s), %d failed\n", p.Lifecycles, p.LifecyclesPS, p.LifecyclesFailed)
	}
	fmt.Fprintf(w, "API calls         %d (%.1f/s)", p.Calls, p.CallsPS)
	if p.Writes > 0 {
		fmt.Fprintf(w, "; writes (POST) %d (%.1f/s)", p.Writes, p.WritesPS)
	}
	if p.Polls > 0 {
		fmt.Fprintf(w, "; milestone polls %d", p.Polls)
	}
	fmt.Fprintln(w)
	if r := p.Server; r != nil {
		fmt.Fprintf(w, "server            RSS peak %.1f MiB over %d samples (VmHWM %.1f MiB); CPU %.1fs = %.2f cores; machine load %.2f\n",
			r.PeakRSSMiB, r.Samples, r.HWMMiB, r.CPUSeconds, r.CPUCores, r.LoadAvg)
		if r.Err != "" {
			fmt.Fprintf(w, "                  sampling stopped: %s\n", r.Err)
		}
	}
	for _, who := range slices.Sorted(maps.Keys(p.DeepVsFirst)) {
		fmt.Fprintf(w, "deep/first p50    %s %.2fx\n", who, p.DeepVsFirst[who])
	}

	printTable(w, "endpoint", p.Endpoints)
	printTable(w, "ledger wait", p.LedgerWaits)
	printCounts(w, "errors", p.Errors, p.Examples)
	printCounts(w, "anomalies", p.Checks, nil)
}

func printTable(w io.Writer, title string, rows []EndpointStats) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\tcount\t/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\terrors\t\n", title)
	for _, e := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%.1f\t%d\t\n", e.Name, e.Calls, e.PerSec, e.P50, e.P95, e.P99, e.Max, sum(e.Errors))
	}
	tw.Flush()
}

func printCounts(w io.Writer, title string, counts map[string]int, examples map[string]string) {
	if len(counts) == 0 {
		return
	}
	fmt.Fprintf(w, "%s:\n", title)
	for _, k := range sortedKeys(counts) {
		fmt.Fprintf(w, "  %6d  %s", counts[k], k)
		if ex := examples[k]; ex != "" {
			fmt.Fprintf(w, "  (e.g. %s)", strings.TrimSpace(ex))
		}
		fmt.Fprintln(w)
	}
}

func printPgbench(w io.Writer, r *Report) {
	pb := r.Pgbench
	fmt.Fprintf(w, "\n== pgbench: %d clients, %d threads, %ds, scale %d, prepared: %.1f tps, latency avg %.2f ms\n",
		pb.Clients, pb.Threads, pb.Seconds, pb.Scale, pb.TPS, pb.LatencyMS)
	for _, p := range r.Phases {
		what, rate := "API write calls/s", p.WritesPS
		if p.Mode != "write" {
			what, rate = "API calls/s", p.CallsPS
		}
		fmt.Fprintf(w, "%s: %s / pgbench tps = %.1f / %.1f = %.3f\n", p.Mode, what, rate, pb.TPS, rate/pb.TPS)
	}
}

func printJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
