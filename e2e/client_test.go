package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"
)

// client calls whichever instance is up. Every POST carries an
// Idempotency-Key, so a request cut by a kill -9 is retried safely against
// the other instance: it either replays the first answer or runs once.
type client struct {
	instances []*instance
	http      *http.Client
	retries   atomic.Int64
	ok2xx     atomic.Int64
}

func newKey() string {
	b := make([]byte, 12)
	crand(b)
	return hex.EncodeToString(b)
}

var crand = func(b []byte) { _, _ = rand.Read(b) }

// call returns the status and body of the first answer that is not a
// network failure or a 5xx; it gives up after a minute.
func (c *client) call(method, path, token string, body any) (int, []byte, error) {
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	key := newKey()
	deadline := time.Now().Add(time.Minute)
	for attempt := 0; ; attempt++ {
		in := c.instances[mrand.IntN(len(c.instances))]
		req, _ := http.NewRequest(method, in.url()+path, bytes.NewReader(raw))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if method == http.MethodPost {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := c.http.Do(req)
		if err == nil {
			out, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr == nil && resp.StatusCode < 500 && !(resp.StatusCode == 409 && bytes.Contains(out, []byte("idempotency_key_in_use"))) {
				if resp.StatusCode < 300 {
					c.ok2xx.Add(1)
				}
				return resp.StatusCode, out, nil
			}
			err = fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, out)
		}
		if time.Now().After(deadline) {
			return 0, nil, err
		}
		c.retries.Add(1)
		time.Sleep(time.Duration(50+mrand.IntN(150)) * time.Millisecond)
	}
}

// json calls and decodes a 2xx answer into out, failing on anything else.
func (c *client) json(method, path, token string, body, out any) error {
	status, raw, err := c.call(method, path, token, body)
	if err != nil {
		return err
	}
	if status >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, status, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// eventually polls cond until it holds or timeout passes.
func eventually(timeout time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("condition not met in %s", timeout)
			}
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
