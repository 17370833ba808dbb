package main

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/disputed/disputed/handlers"
	"github.com/disputed/disputed/workflows"
)

// clearEnv blanks every DISPUTED_ variable so the host environment cannot
// leak into the configuration.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "DISPUTED_") {
			t.Setenv(name, "")
		}
	}
}

// mint runs the token subcommand in process and returns the single line it printed.
func mint(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(append([]string{"token"}, args...), &stdout, &stderr); err != nil {
		t.Fatalf("token %v: %v (stderr %q)", args, err, stderr.String())
	}
	out := stdout.String()
	if !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Fatalf("token printed %q, want exactly one line", out)
	}
	return strings.TrimSuffix(out, "\n")
}

// storedPublicKey reads the signing key file independently of localKey.
func storedPublicKey(t *testing.T, dataDir string) ed25519.PublicKey {
	t.Helper()
	raw, err := os.ReadFile(localKeyPath(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		t.Fatalf("%s is not PEM", localKeyPath(dataDir))
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		t.Fatalf("stored key is %T, want ed25519.PrivateKey", k)
	}
	return priv.Public().(ed25519.PublicKey)
}

// verify checks raw is an EdDSA token signed by pub and returns its claims.
func verify(t *testing.T, raw string, pub crypto.PublicKey) handlers.Claims {
	t.Helper()
	var c handlers.Claims
	_, err := jwt.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"EdDSA"}), jwt.WithExpirationRequired())
	if err != nil {
		t.Fatalf("token does not verify: %v", err)
	}
	return c
}

func TestTokenVerifiesWithStoredKey(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	t.Setenv("DISPUTED_DATA_DIR", dir)

	tests := []struct {
		name  string
		args  []string
		roles []string
		ttl   time.Duration
	}{
		{"default ttl", []string{"--sub", "u1", "--role", "ledger", "--role", "support"}, []string{"ledger", "support"}, 24 * time.Hour},
		{"custom ttl", []string{"--sub", "u1", "--ttl", "1h"}, nil, time.Hour},
	}
	var keyFile []byte
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now().Truncate(time.Second) // NumericDate has second precision
			raw := mint(t, tt.args...)
			after := time.Now()

			// The first run creates the key; later runs must reuse the same file.
			file, err := os.ReadFile(localKeyPath(dir))
			if err != nil {
				t.Fatal(err)
			}
			if keyFile == nil {
				keyFile = file
			} else if !bytes.Equal(file, keyFile) {
				t.Fatal("a second run replaced the signing key")
			}

			c := verify(t, raw, storedPublicKey(t, dir))
			if c.Subject != "u1" {
				t.Errorf("sub = %q, want u1", c.Subject)
			}
			if !slices.Equal(c.Roles, tt.roles) {
				t.Errorf("roles = %v, want %v", c.Roles, tt.roles)
			}
			if exp := c.ExpiresAt.Time; exp.Before(before.Add(tt.ttl)) || exp.After(after.Add(tt.ttl)) {
				t.Errorf("exp = %v, want %v after issuing (between %v and %v)", exp, tt.ttl, before.Add(tt.ttl), after.Add(tt.ttl))
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	clearEnv(t)
	t.Setenv("DISPUTED_DATA_DIR", t.TempDir())
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"token without sub", []string{"token", "--role", "ledger"}, "--sub is required"},
		{"token unknown role", []string{"token", "--sub", "u1", "--role", "admin"}, `unknown role "admin"`},
		{"token unknown flag", []string{"token", "--sub", "u1", "--nope"}, "nope"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(tt.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run(%q) = %v, want error containing %q", tt.args, err, tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
		})
	}
}

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		want    config
	}{
		{name: "defaults", want: config{
			Addr: ":8080", DataDir: "./data", Ledger: "embedded", LedgerEvery: 200 * time.Millisecond,
		}},
		{name: "overrides", env: map[string]string{
			"DISPUTED_ADDR": "127.0.0.1:9", "DISPUTED_DATA_DIR": "/srv/d", "DISPUTED_DATABASE_URL": "postgres://h/db",
			"DISPUTED_LEDGER": "external", "DISPUTED_LEDGER_INTERVAL": "2s",
		}, want: config{
			Addr: "127.0.0.1:9", DataDir: "/srv/d", DatabaseURL: "postgres://h/db", Ledger: "external", LedgerEvery: 2 * time.Second,
		}},
		{name: "bogus ledger", env: map[string]string{"DISPUTED_LEDGER": "bogus"}, wantErr: "DISPUTED_LEDGER must be"},
		{name: "bad interval", env: map[string]string{"DISPUTED_LEDGER_INTERVAL": "soon"}, wantErr: "DISPUTED_LEDGER_INTERVAL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			got, err := loadConfig()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("loadConfig() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Only the settings under test: config grows other fields.
			if got.Addr != tt.want.Addr || got.DataDir != tt.want.DataDir || got.DatabaseURL != tt.want.DatabaseURL ||
				got.Ledger != tt.want.Ledger || got.LedgerEvery != tt.want.LedgerEvery {
				t.Errorf("loadConfig() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestMaskURL(t *testing.T) {
	tests := []struct {
		in     string
		want   []string
		secret string
	}{
		{"postgres://u:secret@h/db", []string{"postgres://u:", "@h/db"}, "secret"},
		{"postgres://u@h/db", []string{"postgres://u@h/db"}, ""},
		{"", []string{"sqlite"}, ""},
		{"postgres://h/db?user=u&password=secret&sslmode=disable", []string{"user=u", "sslmode=disable"}, "secret"},
		{"postgres://u:p%40ssword@h/db", []string{"@h/db"}, "ssword"},
		{"host=h user=u password=secret dbname=d", []string{"host=h", "dbname=d"}, "secret"},
	}
	for _, tt := range tests {
		got := maskURL(tt.in)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("maskURL(%q) = %q, want it to contain %q", tt.in, got, w)
			}
		}
		if tt.secret != "" && strings.Contains(got, tt.secret) {
			t.Errorf("maskURL(%q) = %q leaks %q", tt.in, got, tt.secret)
		}
	}
}

// Several processes starting on a fresh data dir agree on one whole key.
func TestConcurrentFirstKeyUse(t *testing.T) {
	for round := 0; round < 20; round++ {
		dir := t.TempDir()
		keys := make(chan string, 8)
		errs := make(chan error, 8)
		for i := 0; i < 8; i++ {
			go func() {
				k, err := localKey(dir)
				errs <- err
				keys <- string(k)
			}()
		}
		first := ""
		for i := 0; i < 8; i++ {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			k := <-keys
			if first == "" {
				first = k
			} else if k != first {
				t.Fatalf("round %d: processes got different keys", round)
			}
		}
	}
}

// binary is the built command, run against one data dir and address.
type binary struct {
	path, dataDir, addr string
}

func buildBinary(t *testing.T) binary {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "disputed")
	build := exec.Command("go", "build", "-o", path, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return binary{path: path, dataDir: filepath.Join(dir, "data"), addr: freeAddr(t)}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (b binary) command(args ...string) *exec.Cmd {
	cmd := exec.Command(b.path, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPUTED_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "DISPUTED_ADDR="+b.addr, "DISPUTED_DATA_DIR="+b.dataDir)
	return cmd
}

// exec runs a short-lived subcommand and returns its stdout and stderr.
func (b binary) exec(t *testing.T, args ...string) (string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := b.command(args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("disputed %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

var schemaVersion = regexp.MustCompile(`sqlite schema at version (\d+)`)

func TestServeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	b := buildBinary(t)

	logPath := filepath.Join(t.TempDir(), "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	serveLog := func() string { out, _ := os.ReadFile(logPath); return string(out) }

	srv := b.command() // serve is the default
	srv.Stdout, srv.Stderr = logFile, logFile
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var exitErr error
	go func() { exitErr = srv.Wait(); close(exited) }()
	t.Cleanup(func() { srv.Process.Kill(); <-exited }) // a no-op once it has exited

	base := "http://" + b.addr
	waitReady(t, base+"/readyz", exited, serveLog)

	token, _ := b.exec(t, "token", "--sub", "emp-1")
	token = strings.TrimSpace(token)
	body := `{"title":"t","freelancer_id":"fl-1","currency":"USD"}`
	if code, _ := post(t, base+"/v1/projects", "", body); code != http.StatusUnauthorized {
		t.Errorf("POST /v1/projects without a token: status %d, want 401", code)
	}
	code, resp := post(t, base+"/v1/projects", token, body)
	if code != http.StatusCreated {
		t.Fatalf("POST /v1/projects: status %d, want 201: %s", code, resp)
	}
	var p struct {
		ID         string `json:"id"`
		Title      string `json:"title"`
		EmployerID string `json:"employer_id"`
	}
	if err := json.Unmarshal(resp, &p); err != nil {
		t.Fatal(err)
	}
	if p.ID == "" || p.Title != "t" || p.EmployerID != "emp-1" {
		t.Errorf("created project = %s, want an id, title t and employer_id emp-1 (the token's sub)", resp)
	}

	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		if exitErr != nil {
			t.Fatalf("after SIGTERM: %v, want exit code 0\n%s", exitErr, serveLog())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30s after SIGTERM\n%s", serveLog())
	}
	served := schemaVersion.FindStringSubmatch(serveLog())
	if served == nil {
		t.Fatalf("serve did not log the schema version:\n%s", serveLog())
	}

	// migrate on the served database reports the same version.
	_, stderr := b.exec(t, "migrate")
	m := schemaVersion.FindStringSubmatch(stderr)
	if m == nil || m[1] == "0" || m[1] != served[1] {
		t.Errorf("migrate stderr = %q, want schema version %s (as serve reported)", stderr, served[1])
	}
}

// waitReady polls url until it answers 200, failing if the server exits or
// 20 seconds pass.
func waitReady(t *testing.T, url string, exited <-chan struct{}, log func() string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("server exited before ready\n%s", log())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after 20s (last error %v)\n%s", url, err, log())
		}
	}
}

func post(t *testing.T, url, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, buf.Bytes()
}

func TestLoadRules(t *testing.T) {
	for _, name := range []string{"DISPUTED_RESPONSE_WINDOW_FREELANCER", "DISPUTED_RESPONSE_WINDOW_EMPLOYER",
		"DISPUTED_FEE_WINDOW", "DISPUTED_FEE_PERCENT", "DISPUTED_FEE_MINIMUM"} {
		t.Setenv(name, "")
	}
	r, err := loadRules()
	if err != nil || r != workflows.DefaultRules() {
		t.Fatalf("defaults: %+v, %v", r, err)
	}
	t.Setenv("DISPUTED_FEE_PERCENT", "2.5")
	t.Setenv("DISPUTED_FEE_MINIMUM", "100")
	t.Setenv("DISPUTED_FEE_WINDOW", "30m")
	if r, err = loadRules(); err != nil || r.FeeBasisPoints != 250 || r.FeeMinimum != 100 || r.FeeWindow != 30*time.Minute {
		t.Fatalf("set: %+v, %v", r, err)
	}
	for name, bad := range map[string]string{
		"DISPUTED_FEE_PERCENT": "2.555", "DISPUTED_FEE_MINIMUM": "0", "DISPUTED_FEE_WINDOW": "-1h",
		"DISPUTED_RESPONSE_WINDOW_EMPLOYER": "soon",
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, bad)
			if _, err := loadRules(); err == nil {
				t.Fatalf("%s=%s accepted", name, bad)
			}
		})
	}
	t.Setenv("DISPUTED_FEE_PERCENT", "101")
	if _, err := loadRules(); err == nil {
		t.Fatal("a fee over 100% accepted")
	}
}
