// Command ledgersim is a reference external ledger for disputed: it reads
// the instruction feed as role ledger, keeps double-entry balances (users,
// escrow, fees), executes each instruction exactly once by its id, and
// answers with its own reference. It can lose acknowledgements and reject
// instructions on purpose, receives signed webhooks, and prints a
// reconciliation report on exit (and serves it at GET /report).
//
//	ledgersim --url http://127.0.0.1:8080 --token "$(disputed token --sub ledger-1 --role ledger)"
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "ledgersim:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("ledgersim", flag.ContinueOnError)
	urls := fs.String("url", "http://127.0.0.1:8080", "disputed base URLs, comma-separated (instances of one service)")
	token := fs.String("token", os.Getenv("LEDGERSIM_TOKEN"), "bearer token with role ledger (or LEDGERSIM_TOKEN)")
	state := fs.String("state", "", "state file: balances and executed ids survive a restart")
	failRate := fs.Float64("fail-rate", 0, "share (0-1) of acks dropped after executing, and of webhooks refused")
	rejectRate := fs.Float64("reject-rate", 0, "share (0-1) of instructions rejected")
	every := fs.Duration("interval", 200*time.Millisecond, "feed polling interval")
	hookAddr := fs.String("webhook-addr", "", "listen here for webhooks (POST /webhooks) and the report (GET /report)")
	hookSecret := fs.String("webhook-secret", os.Getenv("LEDGERSIM_WEBHOOK_SECRET"), "webhook signing secret (or LEDGERSIM_WEBHOOK_SECRET)")
	duration := fs.Duration("duration", 0, "stop after this long (0: on SIGINT/SIGTERM)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		return errors.New("--token is required")
	}
	ledger, err := OpenLedger(*state)
	if err != nil {
		return err
	}
	c := &Consumer{URLs: strings.Split(*urls, ","), Token: *token, Client: &http.Client{Timeout: 10 * time.Second},
		Ledger: ledger, FailRate: *failRate, RejectRate: *rejectRate,
		Logf: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f, a...) }}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	if *hookAddr != "" {
		recv := &receiver{secret: []byte(*hookSecret), consumer: c, seen: map[string]bool{}}
		mux := http.NewServeMux()
		mux.Handle("POST /webhooks", recv)
		mux.HandleFunc("GET /report", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(struct {
				Report
				UniqueWebhookEvents int `json:"unique_webhook_events"`
			}{ledger.Report(c.Stats()), recv.uniqueEvents()})
		})
		srv := &http.Server{Addr: *hookAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go srv.ListenAndServe()
		defer srv.Close()
	}
	t := time.NewTicker(*every)
	defer t.Stop()
	for ctx.Err() == nil {
		pending, err := c.Poll(ctx)
		if err != nil && ctx.Err() == nil {
			c.Logf("ledgersim: %v\n", err)
		}
		if pending > 0 && err == nil {
			continue // more to settle now
		}
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
	if err := ledger.Save(); err != nil {
		return err
	}
	ledger.Report(c.Stats()).Print(func(f string, a ...any) { fmt.Printf(f, a...) })
	return nil
}
