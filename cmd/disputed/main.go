// Command disputed serves the dispute resolution API. Subcommands:
//
//	disputed [serve]                         serve (the default)
//	disputed migrate                         bring the schema up to date
//	disputed token --sub ID [--role R]...    mint a development token
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	disputed "github.com/disputed/disputed"
	"github.com/disputed/disputed/delivery"
	"github.com/disputed/disputed/handlers"
	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/policies"
	"github.com/disputed/disputed/workflows"
)

func main() {
	// All times are UTC; database drivers decode into time.Local.
	time.Local = time.UTC
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "disputed:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	switch cmd {
	case "serve":
		if len(args) > 0 {
			return errors.New("serve takes no arguments; it is configured by DISPUTED_* environment variables")
		}
		return serve(ctx, cfg, stderr)
	case "migrate":
		db, err := openMigrated(ctx, cfg, stderr)
		if err != nil {
			return err
		}
		return db.Close()
	case "token":
		return mintToken(cfg, args, stdout, stderr)
	}
	return fmt.Errorf("unknown command %q; use serve (the default), migrate or token", cmd)
}

func openMigrated(ctx context.Context, cfg config, log io.Writer) (*models.DB, error) {
	db, err := models.Open(cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	version, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	fmt.Fprintf(log, "disputed: %s schema at version %d\n", db.Dialect, version)
	return db, nil
}

func serve(ctx context.Context, cfg config, stderr io.Writer) error {
	cfg.print(stderr)
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	if cfg.DatabaseURL == "" {
		unlock, err := lockDataDir(cfg.DataDir)
		if err != nil {
			return err
		}
		defer unlock()
	}
	db, err := openMigrated(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	authz, err := policies.New()
	if err != nil {
		return err
	}
	verify, err := verifier(ctx, cfg)
	if err != nil {
		return err
	}
	svc := workflows.New(db, authz, workflows.Options{
		Rules: cfg.Rules, Files: models.NewDiskStore(cfg.FilesDir), MaxUpload: cfg.MaxUpload,
		EmbeddedLedger: cfg.Ledger == "embedded",
	})
	if err := svc.CheckFeed(ctx); err != nil {
		return err
	}
	metrics := handlers.NewMetrics(svc)
	e, err := handlers.New(handlers.Config{
		Service: svc, Verifier: verify, Log: log, Ready: db.Ping,
		OpenAPI: disputed.OpenAPI, BodyLimit: cfg.BodyLimit, Metrics: metrics,
	})
	if err != nil {
		return err
	}

	var background sync.WaitGroup
	workCtx, stopWork := context.WithCancel(context.Background())
	every(&background, workCtx, cfg.DeadlineEvery, log, "deadlines", func(ctx context.Context) (int, error) {
		n, err := svc.RunDeadlines(ctx)
		metrics.DeadlinesFired.Add(float64(n))
		return n, err
	})
	deliveries := &delivery.Worker{
		Service: svc, Client: delivery.NewClient(cfg.Webhooks.Timeout), Log: log, Batch: 32,
		Lease: 3 * cfg.Webhooks.Timeout, MaxAttempts: cfg.Webhooks.MaxAttempts,
		Backoff: cfg.Webhooks.Backoff, BackoffMax: cfg.Webhooks.BackoffMax, Now: time.Now,
		OnFailure: metrics.WebhookFailures.Inc,
	}
	every(&background, workCtx, cfg.Webhooks.Every, log, "webhook deliveries", deliveries.Run)
	if cfg.Ledger == "embedded" {
		// Several workers: instructions of different milestones are independent,
		// and the machine only writes one after the one it depends on is acknowledged.
		workers := 1
		if db.Dialect == models.Postgres {
			workers = 4
		}
		for range workers {
			every(&background, workCtx, cfg.LedgerEvery, log, "embedded ledger", func(ctx context.Context) (int, error) {
				return svc.RunEmbeddedLedger(ctx, 100)
			})
		}
	}

	if cfg.AdminAddr != "" {
		admin := &http.Server{Addr: cfg.AdminAddr, Handler: adminMux(metrics), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := admin.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("admin listener", "err", err)
			}
		}()
		defer admin.Close()
	}
	srv := &http.Server{Addr: cfg.Addr, Handler: e, ReadHeaderTimeout: 10 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.ListenAndServe() }()
	log.Info("serving", "addr", cfg.Addr, "database", string(db.Dialect), "ledger", cfg.Ledger)

	select {
	case err := <-serveErr:
		stopWork()
		background.Wait()
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	stopWork() // background work stops between transactions, never inside one
	background.Wait()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// every runs step in the background until ctx ends, again at once while it
// reports work done, else after interval. Each step commits its own
// transactions and is never cancelled half way, so stopping leaves nothing
// half done.
func every(wg *sync.WaitGroup, ctx context.Context, interval time.Duration, log *slog.Logger, name string,
	step func(context.Context) (int, error)) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			n, err := step(context.WithoutCancel(ctx))
			if err != nil {
				log.Error(name, "err", err)
			}
			if n > 0 && err == nil && ctx.Err() == nil {
				continue
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// adminMux serves pprof and the metrics on the admin listener, which is off
// unless DISPUTED_ADMIN_ADDR is set and should never face the internet.
func adminMux(m *handlers.Metrics) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	return mux
}

type roles []string

func (r *roles) String() string     { return strings.Join(*r, ",") }
func (r *roles) Set(v string) error { *r = append(*r, v); return nil }

// mintToken prints a token for the local development key, and nothing else.
func mintToken(cfg config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sub := fs.String("sub", "", "user id (required)")
	ttl := fs.Duration("ttl", 24*time.Hour, "lifetime")
	var rs roles
	fs.Var(&rs, "role", "role to grant: arbitrator, support or ledger (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *sub == "" {
		return errors.New("token: --sub is required")
	}
	for _, r := range rs {
		if r != "arbitrator" && r != "support" && r != "ledger" {
			return fmt.Errorf("token: unknown role %q", r)
		}
	}
	priv, err := localKey(cfg.DataDir)
	if err != nil {
		return err
	}
	now := time.Now()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodEdDSA, handlers.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject: *sub, IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(*ttl)),
		},
		Roles: rs,
	}).SignedString(priv)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
}
