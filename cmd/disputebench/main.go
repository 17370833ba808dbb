// Command disputebench measures disputed under load: whole dispute
// lifecycles through the HTTP API (write mode), case reads and list pages
// against a bulk-seeded database (read mode), and pgbench on the same
// PostgreSQL for a yardstick that travels across machines.
//
//	disputebench --url http://127.0.0.1:8080 --data-dir ./data --pid $(pidof disputed) \
//	    --pg postgres://postgres@127.0.0.1:5432/disputed?sslmode=disable --mode both --workers 8 --duration 60s
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

type config struct {
	url      string
	workers  int
	duration time.Duration
	mode     string
	dataDir  string
	pid      int
	pg       string
	seed     int
	pairs    int
	pgbench  bool
	json     bool
	inflight int
	poll     time.Duration
	ledger   string
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("disputebench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8080", "the server (loopback only)")
	fs.IntVar(&c.workers, "workers", 8, "concurrent workers, each with one call in flight; pgbench's client count too")
	fs.DurationVar(&c.duration, "duration", 60*time.Second, "length of each timed phase and of pgbench")
	fs.StringVar(&c.mode, "mode", "write", "write, read or both")
	fs.StringVar(&c.dataDir, "data-dir", "./data", "the server's data dir, for its signing key")
	fs.IntVar(&c.pid, "pid", 0, "the server's process id, to sample its RSS (0: don't)")
	fs.StringVar(&c.pg, "pg", "", "the server's PostgreSQL URL, for seeding and pgbench (loopback only)")
	fs.IntVar(&c.seed, "seed", 1_000_000, "read mode: disputes to seed")
	fs.IntVar(&c.pairs, "pairs", 1000, "read mode: employer/freelancer pairs the seeded disputes spread over")
	fs.BoolVar(&c.pgbench, "pgbench", true, "run pgbench too (needs --pg)")
	fs.BoolVar(&c.json, "json", false, "print the report as JSON")
	fs.IntVar(&c.inflight, "inflight", 16, "write mode: lifecycles each worker keeps going while others wait for the ledger (1: strictly one after another)")
	fs.DurationVar(&c.poll, "poll", 100*time.Millisecond, "write mode: first pause before reading a milestone that waits for the ledger; doubles up to 1s")
	fs.StringVar(&c.ledger, "ledger", "auto", "write mode: who acknowledges instructions: embedded (the server), external (this tool), or auto (this tool once 2s pass with none answered)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	case c.mode != "write" && c.mode != "read" && c.mode != "both":
		return c, fmt.Errorf("--mode %q: want write, read or both", c.mode)
	case c.workers < 1 || c.workers > 1024:
		return c, errors.New("--workers: from 1 to 1024")
	case c.duration <= 0 || c.duration > time.Hour:
		return c, errors.New("--duration: more than 0, at most 1h")
	case c.ledger != "auto" && c.ledger != "embedded" && c.ledger != "external":
		return c, fmt.Errorf("--ledger %q: want auto, embedded or external", c.ledger)
	case c.inflight < 1:
		return c, errors.New("--inflight: at least 1")
	case c.poll <= 0:
		return c, errors.New("--poll: more than 0")
	case c.mode != "write" && c.pg == "":
		return c, errors.New("read mode seeds PostgreSQL directly: give --pg")
	case c.pairs < 1 || c.seed/c.pairs <= pageLimit:
		return c, fmt.Errorf("--seed %d over --pairs %d: each party needs more than %d cases for a deep page", c.seed, c.pairs, pageLimit)
	}
	if err := loopbackURL(c.url); err != nil {
		return c, err
	}
	if c.pg != "" {
		pc, err := pgx.ParseConfig(c.pg)
		if err != nil {
			return c, fmt.Errorf("--pg: %w", err)
		}
		if !strings.HasPrefix(pc.Host, "/") && !loopbackHost(pc.Host) { // a path is a local socket
			return c, fmt.Errorf("--pg: %s is not a loopback address", pc.Host)
		}
	}
	return c, nil
}

// This tool only ever loads servers on this machine.
func loopbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("--url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("--url %s: want http or https", raw)
	}
	if !loopbackHost(u.Hostname()) {
		return fmt.Errorf("--url: %s is not a loopback address", u.Hostname())
	}
	return nil
}

func loopbackHost(h string) bool {
	ip := net.ParseIP(h)
	return h == "localhost" || (ip != nil && ip.IsLoopback())
}

// Report is everything one run measured.
type Report struct {
	Cores      int       `json:"cores"`
	GOMAXPROCS int       `json:"gomaxprocs"`
	URL        string    `json:"url"`
	Phases     []*Phase  `json:"phases"`
	Pgbench    *Pgbench  `json:"pgbench,omitempty"`
	Started    time.Time `json:"started"`
}

func run(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	rep := &Report{Cores: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), URL: cfg.url, Started: time.Now().UTC()}
	if !cfg.json {
		printHeader(stdout, rep, cfg)
	}
	mint, err := newMinter(cfg.dataDir, cfg.duration+time.Hour)
	if err != nil {
		return err
	}
	api := newAPIClient(cfg.url, cfg.workers+4)
	if err := api.do(ctx, nil, call{method: http.MethodGet, route: "/readyz"}, nil); err != nil {
		return fmt.Errorf("the server at %s is not ready: %w", cfg.url, err)
	}
	phase := func(p *Phase) {
		rep.Phases = append(rep.Phases, p)
		if !cfg.json {
			printPhase(stdout, p)
		}
	}
	if cfg.mode != "read" {
		fmt.Fprintf(stderr, "write: %d workers for %s\n", cfg.workers, cfg.duration)
		p, err := runWrite(ctx, cfg, api, mint)
		if err != nil {
			return err
		}
		phase(p)
	}
	if cfg.mode != "write" {
		seeded, err := seed(ctx, cfg.pg, cfg.seed, cfg.pairs, stderr)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "read: %d workers for %s\n", cfg.workers, cfg.duration)
		ps, err := runRead(ctx, cfg, api, mint, seeded)
		if err != nil {
			return err
		}
		for _, p := range ps {
			phase(p)
		}
	}
	if cfg.pg != "" && cfg.pgbench && ctx.Err() == nil {
		if rep.Pgbench, err = runPgbench(ctx, cfg.pg, cfg.workers, cfg.duration, stderr); err != nil {
			return err
		}
		if !cfg.json {
			printPgbench(stdout, rep)
		}
	}
	if cfg.json {
		return printJSON(stdout, rep)
	}
	return nil
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "disputebench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "disputebench:", err)
		os.Exit(1)
	}
}
