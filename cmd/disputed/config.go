package main

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/disputed/disputed/workflows"
)

// config is every setting, read from the environment with defaults.
type config struct {
	Addr          string
	AdminAddr     string // pprof and metrics; empty: off
	DataDir       string
	FilesDir      string // uploaded files; instances sharing a database must share it too
	DatabaseURL   string
	Ledger        string // embedded or external
	PublicKeyFile string // verify tokens with this PEM public key instead of the local key
	JWKSURL       string // or with a JWKS endpoint
	BodyLimit     string
	LedgerEvery   time.Duration
	DeadlineEvery time.Duration
	Rules         workflows.Rules
	MaxUpload     int64
	Webhooks      webhookConfig
}

// webhookConfig tunes webhook delivery.
type webhookConfig struct {
	Every       time.Duration
	MaxAttempts int
	Backoff     time.Duration
	BackoffMax  time.Duration
	Timeout     time.Duration
}

func loadConfig() (config, error) {
	c := config{
		Addr:          env("DISPUTED_ADDR", ":8080"),
		AdminAddr:     os.Getenv("DISPUTED_ADMIN_ADDR"),
		DataDir:       env("DISPUTED_DATA_DIR", "./data"),
		FilesDir:      os.Getenv("DISPUTED_FILES_DIR"),
		DatabaseURL:   os.Getenv("DISPUTED_DATABASE_URL"),
		Ledger:        env("DISPUTED_LEDGER", "embedded"),
		PublicKeyFile: os.Getenv("DISPUTED_JWT_PUBLIC_KEY_FILE"),
		JWKSURL:       os.Getenv("DISPUTED_JWKS_URL"),
		BodyLimit:     env("DISPUTED_BODY_LIMIT", "1M"),
	}
	if c.FilesDir == "" {
		c.FilesDir = filepath.Join(c.DataDir, "files")
	}
	var err error
	if c.LedgerEvery, err = time.ParseDuration(env("DISPUTED_LEDGER_INTERVAL", "200ms")); err != nil {
		return c, fmt.Errorf("DISPUTED_LEDGER_INTERVAL: %w", err)
	}
	if c.DeadlineEvery, err = time.ParseDuration(env("DISPUTED_DEADLINE_INTERVAL", "1s")); err != nil {
		return c, fmt.Errorf("DISPUTED_DEADLINE_INTERVAL: %w", err)
	}
	if c.MaxUpload, err = strconv.ParseInt(env("DISPUTED_MAX_UPLOAD", strconv.Itoa(25<<20)), 10, 64); err != nil || c.MaxUpload <= 0 {
		return c, fmt.Errorf("DISPUTED_MAX_UPLOAD: want a size in bytes, got %q", os.Getenv("DISPUTED_MAX_UPLOAD"))
	}
	if c.Webhooks, err = loadWebhookConfig(); err != nil {
		return c, err
	}
	if c.Rules, err = loadRules(); err != nil {
		return c, err
	}
	if c.Ledger != "embedded" && c.Ledger != "external" {
		return c, fmt.Errorf("DISPUTED_LEDGER must be embedded or external, not %q", c.Ledger)
	}
	return c, nil
}

func loadWebhookConfig() (webhookConfig, error) {
	w := webhookConfig{}
	for name, d := range map[string]struct {
		dst *time.Duration
		def string
	}{
		"DISPUTED_WEBHOOK_INTERVAL":    {&w.Every, "500ms"},
		"DISPUTED_WEBHOOK_BACKOFF":     {&w.Backoff, "1s"},
		"DISPUTED_WEBHOOK_BACKOFF_MAX": {&w.BackoffMax, "1h"},
		"DISPUTED_WEBHOOK_TIMEOUT":     {&w.Timeout, "10s"},
	} {
		v, err := time.ParseDuration(env(name, d.def))
		if err != nil || v <= 0 {
			return w, fmt.Errorf("%s: want a positive Go duration, got %q", name, os.Getenv(name))
		}
		*d.dst = v
	}
	n, err := strconv.Atoi(env("DISPUTED_WEBHOOK_MAX_ATTEMPTS", "12"))
	if err != nil || n < 1 {
		return w, fmt.Errorf("DISPUTED_WEBHOOK_MAX_ATTEMPTS: want an integer >= 1, got %q", os.Getenv("DISPUTED_WEBHOOK_MAX_ATTEMPTS"))
	}
	w.MaxAttempts = n
	return w, nil
}

var percentPattern = regexp.MustCompile(`^(\d{1,3})(?:\.(\d{1,2}))?$`)

// loadRules reads the dispute process's numbers. The fee percent may have
// two decimals ("2.5"); it is kept as basis points so no float touches money.
func loadRules() (workflows.Rules, error) {
	r := workflows.DefaultRules()
	for name, dst := range map[string]*time.Duration{
		"DISPUTED_RESPONSE_WINDOW_FREELANCER": &r.ResponseWindowFreelancer,
		"DISPUTED_RESPONSE_WINDOW_EMPLOYER":   &r.ResponseWindowEmployer,
		"DISPUTED_FEE_WINDOW":                 &r.FeeWindow,
	} {
		if v := os.Getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return r, fmt.Errorf("%s: want a positive Go duration such as 96h, got %q", name, v)
			}
			*dst = d
		}
	}
	if v := os.Getenv("DISPUTED_FEE_PERCENT"); v != "" {
		m := percentPattern.FindStringSubmatch(v)
		if m == nil {
			return r, fmt.Errorf("DISPUTED_FEE_PERCENT: want a percentage with at most two decimals, such as 5 or 2.5, got %q", v)
		}
		whole, _ := strconv.ParseInt(m[1], 10, 64)
		frac, _ := strconv.ParseInt((m[2] + "00")[:2], 10, 64)
		if r.FeeBasisPoints = whole*100 + frac; r.FeeBasisPoints > 10000 {
			return r, fmt.Errorf("DISPUTED_FEE_PERCENT: at most 100, got %q", v)
		}
	}
	if v := os.Getenv("DISPUTED_FEE_MINIMUM"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			// A fee of zero would be a charge of nothing: the ledger takes no such instruction.
			return r, fmt.Errorf("DISPUTED_FEE_MINIMUM: want minor units, at least 1, got %q", v)
		}
		r.FeeMinimum = n
	}
	return r, nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// print writes the effective configuration, the database password masked.
func (c config) print(w io.Writer) {
	fmt.Fprintf(w, "disputed config: addr=%s admin_addr=%q data_dir=%s files_dir=%s database=%s ledger=%s auth=%s body_limit=%s max_upload=%d "+
		"response_window_freelancer=%s response_window_employer=%s fee_window=%s fee_basis_points=%d fee_minimum=%d\n",
		c.Addr, c.AdminAddr, c.DataDir, c.FilesDir, maskURL(c.DatabaseURL), c.Ledger, c.authSource(), c.BodyLimit, c.MaxUpload,
		c.Rules.ResponseWindowFreelancer, c.Rules.ResponseWindowEmployer, c.Rules.FeeWindow, c.Rules.FeeBasisPoints, c.Rules.FeeMinimum)
}

func (c config) authSource() string {
	switch {
	case c.JWKSURL != "":
		return "jwks:" + c.JWKSURL
	case c.PublicKeyFile != "":
		return "public-key:" + c.PublicKeyFile
	}
	return "local-key:" + localKeyPath(c.DataDir)
}

// maskURL hides passwords in a database URL, in its user info or its
// query, and in key=value connection strings.
func maskURL(raw string) string {
	if raw == "" {
		return "sqlite (data dir)"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return passwordPattern.ReplaceAllString(raw, "${1}****")
	}
	q := u.Query()
	for k := range q {
		if strings.Contains(strings.ToLower(k), "password") {
			q.Set(k, "****")
		}
	}
	u.RawQuery = q.Encode()
	return u.Redacted()
}

var passwordPattern = regexp.MustCompile(`(?i)(password\s*=\s*)('[^']*'|\S+)`)
