package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	pgbenchDB    = "disputebench_pgbench"
	pgbenchScale = 10
)

// Pgbench is the database's own throughput on this machine, TPC-B-like,
// with as many clients as the API run had workers.
type Pgbench struct {
	Clients   int     `json:"clients"`
	Threads   int     `json:"threads"`
	Seconds   int     `json:"seconds"`
	Scale     int     `json:"scale"`
	TPS       float64 `json:"tps"`
	LatencyMS float64 `json:"latency_avg_ms"`
}

// runPgbench runs pgbench in a scratch database on the server of pgURL,
// dropped again at the end.
func runPgbench(ctx context.Context, pgURL string, clients int, d time.Duration, log io.Writer) (*Pgbench, error) {
	cfg, err := pgx.ParseConfig(pgURL)
	if err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	drop := func(ctx context.Context) error {
		_, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgbenchDB+" WITH (FORCE)")
		return err
	}
	if err := drop(ctx); err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgbenchDB); err != nil {
		return nil, err
	}
	defer func() {
		if err := drop(context.Background()); err != nil {
			fmt.Fprintln(log, "pgbench: dropping", pgbenchDB+":", err)
		}
	}()

	// pgbench takes the connection from libpq's variables, so the scratch
	// database needs no URL surgery.
	env := append(os.Environ(), "PGHOST="+cfg.Host, "PGPORT="+strconv.Itoa(int(cfg.Port)),
		"PGUSER="+cfg.User, "PGPASSWORD="+cfg.Password, "PGDATABASE="+pgbenchDB)
	if cfg.TLSConfig == nil {
		env = append(env, "PGSSLMODE=disable")
	}
	pb := &Pgbench{Clients: clients, Threads: min(2, clients), Seconds: int(math.Ceil(d.Seconds())), Scale: pgbenchScale}
	fmt.Fprintf(log, "pgbench: initialising scale %d\n", pb.Scale)
	if _, err := pgbench(ctx, env, "-i", "-q", "-s", strconv.Itoa(pb.Scale)); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "pgbench: %d clients, %d threads, %ds\n", pb.Clients, pb.Threads, pb.Seconds)
	out, err := pgbench(ctx, env, "-c", strconv.Itoa(pb.Clients), "-j", strconv.Itoa(pb.Threads),
		"-T", strconv.Itoa(pb.Seconds), "-M", "prepared")
	if err != nil {
		return nil, err
	}
	if pb.TPS, pb.LatencyMS, err = parsePgbench(out); err != nil {
		return nil, err
	}
	return pb, nil
}

func pgbench(ctx context.Context, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "pgbench", args...)
	cmd.Env = env
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("pgbench %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String(), nil
}

// parsePgbench reads the throughput and mean latency from pgbench's
// report. The tps that counts is the one without the connection time
// (PostgreSQL 14 and later); older versions say "excluding connections
// establishing".
func parsePgbench(out string) (tps, latencyMS float64, err error) {
	tps = -1
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if v, ok := strings.CutPrefix(line, "latency average = "); ok {
			latencyMS, _ = strconv.ParseFloat(strings.TrimSuffix(v, " ms"), 64)
		}
		v, ok := strings.CutPrefix(line, "tps = ")
		if !ok || !(strings.Contains(v, "without initial connection time") || strings.Contains(v, "excluding connections")) {
			continue
		}
		num, _, _ := strings.Cut(v, " ")
		if tps, err = strconv.ParseFloat(num, 64); err != nil {
			return 0, 0, fmt.Errorf("pgbench tps %q: %w", num, err)
		}
	}
	if tps < 0 {
		return 0, 0, errors.New("pgbench printed no tps line")
	}
	return tps, latencyMS, nil
}
