// Package e2e tests the whole service as processes: two disputed instances
// on one PostgreSQL, the reference ledger (cmd/ledgersim) with flaky
// answers, and a chaos loop that kill -9s instances while a driver takes
// disputes through every outcome.
package e2e

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

type milestone struct {
	ID             string `json:"id"`
	State          string `json:"state"`
	Amount         int64  `json:"amount"`
	ReleasedAmount int64  `json:"released_amount"`
	ReturnedAmount int64  `json:"returned_amount"`
}

type dispute struct {
	ID      string `json:"id"`
	Stage   string `json:"stage"`
	Total   int64  `json:"total_amount"`
	Outcome *struct {
		Kind          string `json:"kind"`
		ReleaseAmount int64  `json:"release_amount"`
		ReturnAmount  int64  `json:"return_amount"`
	} `json:"outcome"`
	Offers struct {
		Employer   *struct{ ID string } `json:"employer"`
		Freelancer *struct{ ID string } `json:"freelancer"`
	} `json:"offers"`
	Milestones []struct {
		MilestoneID string `json:"milestone_id"`
	} `json:"milestones"`
}

// The outcomes the driver takes cases to, in turn.
var scenarios = []string{"accepted", "settled", "fee_default", "arbitrated", "response_default", "withdrawn"}

type world struct {
	t      *testing.T
	c      *client
	tokens map[string]string
	mint   func(sub string, roles ...string) string
	mu     sync.Mutex
}

func (w *world) token(sub string, roles ...string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if tok, ok := w.tokens[sub]; ok {
		return tok
	}
	tok := w.mint(sub, roles...)
	w.tokens[sub] = tok
	return tok
}

func TestCrashRecovery(t *testing.T) {
	admin := os.Getenv("DISPUTED_TEST_POSTGRES_URL")
	if admin == "" || testing.Short() {
		t.Skip("needs PostgreSQL: set DISPUTED_TEST_POSTGRES_URL (and not -short)")
	}
	cases := envInt("E2E_DISPUTES", 180)
	dir := t.TempDir()
	disputed := build(t, dir, "./cmd/disputed")
	ledgersim := build(t, dir, "./cmd/ledgersim")

	adminDB, err := sql.Open("pgx", admin)
	must(t, err, "admin db")
	defer adminDB.Close()
	name := "disputed_e2e_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	_, err = adminDB.Exec("CREATE DATABASE " + name)
	must(t, err, "create database")
	defer adminDB.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	dbURL := u.String()
	db, err := sql.Open("pgx", dbURL)
	must(t, err, "db")
	defer db.Close()

	env := []string{
		"DISPUTED_DATABASE_URL=" + dbURL, "DISPUTED_DATA_DIR=" + filepath.Join(dir, "data"), "DISPUTED_LEDGER=external",
		"DISPUTED_RESPONSE_WINDOW_FREELANCER=3s", "DISPUTED_RESPONSE_WINDOW_EMPLOYER=3s", "DISPUTED_FEE_WINDOW=3s",
		"DISPUTED_DEADLINE_INTERVAL=200ms", "DISPUTED_WEBHOOK_INTERVAL=100ms", "DISPUTED_WEBHOOK_BACKOFF=100ms",
		"DISPUTED_WEBHOOK_BACKOFF_MAX=1s", "DISPUTED_WEBHOOK_MAX_ATTEMPTS=1000", "DISPUTED_WEBHOOK_TIMEOUT=2s",
	}
	migrate := exec.Command(disputed, "migrate")
	migrate.Env = append(os.Environ(), env...)
	out, err := migrate.CombinedOutput()
	must(t, err, "migrate: %s", out)

	logFile, err := os.Create(filepath.Join(dir, "disputed.log"))
	must(t, err, "log")
	defer logFile.Close()
	instances := []*instance{
		{t: t, bin: disputed, addr: freeAddr(t), env: env, log: logFile},
		{t: t, bin: disputed, addr: freeAddr(t), env: env, log: logFile},
	}
	for _, in := range instances {
		in.start()
		defer in.kill()
	}
	w := &world{t: t, c: &client{instances: instances, http: &http.Client{Timeout: 10 * time.Second}}, tokens: map[string]string{},
		mint: func(sub string, roles ...string) string { return mint(t, disputed, env, sub, roles...) }}
	sup, arb := w.token("sup-1", "support"), w.token("arb-1", "arbitrator")
	must(t, w.c.json("GET", "/v1/disputes", arb, nil, nil), "register the arbitrator")

	// The reference ledger, flaky: it drops 20% of its acks (after executing)
	// and refuses 20% of webhooks; the service must neither lose nor repeat.
	simAddr := freeAddr(t)
	var hook struct{ Secret string }
	must(t, w.c.json("POST", "/v1/webhooks", sup, map[string]any{"url": "http://" + simAddr + "/webhooks", "events": []string{"*"}}, &hook), "webhook")
	sim := exec.Command(ledgersim, "--url", instances[0].url()+","+instances[1].url(), "--state", filepath.Join(dir, "ledger.json"),
		"--fail-rate", "0.2", "--interval", "100ms", "--webhook-addr", simAddr)
	sim.Env = append(os.Environ(), "LEDGERSIM_TOKEN="+w.token("ledger-1", "ledger"), "LEDGERSIM_WEBHOOK_SECRET="+hook.Secret)
	simLog, _ := os.Create(filepath.Join(dir, "ledgersim.log"))
	defer simLog.Close()
	sim.Stdout, sim.Stderr = simLog, simLog
	must(t, sim.Start(), "ledgersim")
	defer sim.Process.Kill()

	// Chaos: kill -9 a random instance every 1-2.5s, restart it shortly after.
	var kills atomic.Int64
	stopChaos := make(chan struct{})
	chaosDone := make(chan struct{})
	go func() {
		defer close(chaosDone)
		for {
			select {
			case <-stopChaos:
				return
			case <-time.After(time.Duration(1000+rand.IntN(1500)) * time.Millisecond):
			}
			in := instances[rand.IntN(len(instances))]
			in.kill()
			kills.Add(1)
			time.Sleep(time.Duration(200+rand.IntN(600)) * time.Millisecond)
			in.start()
		}
	}()

	start := time.Now()
	results := make([]*dispute, cases)
	expected := make([]string, cases)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 12)
	var failures atomic.Int64
	for i := 0; i < cases; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			expected[i] = scenarios[i%len(scenarios)]
			d, err := w.run(i, expected[i])
			if err != nil {
				failures.Add(1)
				t.Errorf("case %d (%s): %v", i, expected[i], err)
				return
			}
			results[i] = d
		}()
	}
	wg.Wait()
	close(stopChaos)
	<-chaosDone
	driven := time.Since(start)

	// Let the ledger and the webhooks drain.
	must(t, eventually(90*time.Second, func() (bool, error) {
		var pending, undelivered int
		if err := db.QueryRow("SELECT COUNT(*) FROM ledger_instructions WHERE status = 'pending'").Scan(&pending); err != nil {
			return false, err
		}
		if err := db.QueryRow("SELECT COUNT(*) FROM deliveries WHERE status <> 'delivered'").Scan(&undelivered); err != nil {
			return false, err
		}
		return pending == 0 && undelivered == 0, fmt.Errorf("%d instructions pending, %d deliveries not delivered", pending, undelivered)
	}), "drain")

	w.check(db, results, expected, sup)
	report := simReport(t, simAddr)
	var instructions, retried int
	must(t, db.QueryRow("SELECT COUNT(*) FROM ledger_instructions").Scan(&instructions), "count")
	must(t, db.QueryRow("SELECT COALESCE(SUM(attempts - 1), 0) FROM deliveries").Scan(&retried), "retries")
	if report.Stats.DoubleExecution != 0 || report.Stats.ForeignSettled != 0 || !report.Balanced || report.Executed != instructions {
		t.Errorf("ledger: executed %d of %d instructions, double %d, foreign %d, balanced %v",
			report.Executed, instructions, report.Stats.DoubleExecution, report.Stats.ForeignSettled, report.Balanced)
	}
	w.checkBalances(db, report)
	var events int
	must(t, db.QueryRow("SELECT COUNT(*) FROM deliveries").Scan(&events), "deliveries")
	if report.UniqueWebhookEvents != events {
		t.Errorf("webhooks: %d distinct events received, %d written", report.UniqueWebhookEvents, events)
	}
	t.Logf("crash test: %d disputes in %s (%d failed), %d kill -9, %d client retries, %d 2xx answers; "+
		"%d instructions executed once each (%d acks dropped and resent: %d), %d webhook events "+
		"(%d delivery retries, %d refused on purpose, %d repeats received), duplicates executed: %d",
		cases, driven.Round(time.Second), failures.Load(), kills.Load(), w.c.retries.Load(), w.c.ok2xx.Load(),
		report.Executed, report.Stats.AcksDropped, report.Stats.AcksResent, events, retried,
		report.Stats.WebhookRefused, report.Stats.WebhookRepeats, report.Stats.DoubleExecution)
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

type simReportJSON struct {
	Executed            int                         `json:"executed"`
	Balanced            bool                        `json:"balanced"`
	Balances            map[string]map[string]int64 `json:"balances"`
	UniqueWebhookEvents int                         `json:"unique_webhook_events"`
	Stats               struct {
		AcksDropped     int64 `json:"acks_dropped"`
		AcksResent      int64 `json:"acks_resent"`
		ForeignSettled  int64 `json:"foreign_settled"`
		DoubleExecution int64 `json:"double_execution"`
		WebhookRefused  int64 `json:"webhook_refused"`
		WebhookRepeats  int64 `json:"webhook_repeats"`
	} `json:"stats"`
}

func simReport(t *testing.T, addr string) simReportJSON {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/report")
	must(t, err, "report")
	defer resp.Body.Close()
	var r simReportJSON
	must(t, json.NewDecoder(resp.Body).Decode(&r), "decode report")
	return r
}
