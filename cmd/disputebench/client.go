package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const transportError = "transport"

// apiClient talks to the server over keep-alive connections.
type apiClient struct {
	base string
	http *http.Client
}

func newAPIClient(base string, conns int) *apiClient {
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns, // the default of 2 would make most calls dial anew
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &apiClient{base: strings.TrimRight(base, "/"), http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// call is one API request. Its statistics are kept under the route
// template, not the concrete path, so every dispute counts as one endpoint.
type call struct {
	method string
	route  string   // a template such as /v1/disputes/{id}/offers/{offer_id}/accept
	args   []string // fill the template's placeholders, in order
	label  string   // tells apart calls to one route with different purposes
	query  url.Values
	token  string
	body   any
}

func (c call) name() string {
	n := c.method + " " + c.route
	if c.label != "" {
		n += " [" + c.label + "]"
	}
	return n
}

// expand fills a route template's {placeholders} with args, in order.
func expand(route string, args ...string) (string, error) {
	var b strings.Builder
	rest := route
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return "", fmt.Errorf("route %s: unclosed {", route)
		}
		if len(args) == 0 {
			return "", fmt.Errorf("route %s: too few arguments", route)
		}
		b.WriteString(rest[:open])
		b.WriteString(url.PathEscape(args[0]))
		args, rest = args[1:], rest[open+end+1:]
	}
	if len(args) > 0 {
		return "", fmt.Errorf("route %s: %d arguments too many", route, len(args))
	}
	b.WriteString(rest)
	return b.String(), nil
}

// apiError is an answer outside 2xx.
type apiError struct {
	status int
	code   string
	detail string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.detail) }

// key names the error in the counts: the status and the problem's code.
func (e *apiError) key() string { return strings.TrimSpace(strconv.Itoa(e.status) + " " + e.code) }

// do sends c, records it in rec (nil records nothing) and decodes a 2xx
// body into out. A call cut short because ctx ended is not recorded: it
// is the end of the run, not a failure of the server.
func (a *apiClient) do(ctx context.Context, rec *recorder, c call, out any) error {
	path, err := expand(c.route, c.args...)
	if err != nil {
		return err
	}
	u := a.base + path
	if len(c.query) > 0 {
		u += "?" + c.query.Encode()
	}
	var body io.Reader
	if c.method == http.MethodPost {
		raw := []byte("{}")
		if c.body != nil {
			if raw, err = json.Marshal(c.body); err != nil {
				return err
			}
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, u, body)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}

	start := time.Now()
	resp, err := a.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rec.observe(c.name(), -1, transportError, err.Error())
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	elapsed := time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rec.observe(c.name(), -1, transportError, err.Error())
		return err
	}
	if resp.StatusCode/100 != 2 {
		e := problemOf(resp.StatusCode, raw)
		rec.observe(c.name(), elapsed, e.key(), e.detail)
		return e
	}
	rec.observe(c.name(), elapsed, "", "")
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: decoding the answer: %w", c.name(), err)
	}
	return nil
}

func problemOf(status int, raw []byte) *apiError {
	var p struct {
		Code   string `json:"code"`
		Detail string `json:"detail"`
		Title  string `json:"title"`
	}
	e := &apiError{status: status}
	if json.Unmarshal(raw, &p) == nil {
		e.code, e.detail = p.Code, p.Detail
		if e.detail == "" {
			e.detail = p.Title
		}
	} else {
		e.detail = string(raw[:min(len(raw), 200)])
	}
	return e
}

// retryable tells failures worth a pause before going on: the server is
// down or overwhelmed, and hammering it would only spin.
func retryable(err error) bool {
	var e *apiError
	if errors.As(err, &e) {
		return e.status >= 500 || e.status == http.StatusTooManyRequests
	}
	return err != nil
}
