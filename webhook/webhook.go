// Package webhook signs and verifies disputed's webhook deliveries. A
// delivery carries the header
//
//	Disputed-Signature: t=UNIX,v1=HEX
//
// where HEX is the lowercase hex HMAC-SHA256, keyed with the endpoint's
// secret, of the decimal timestamp, a ".", and the raw request body.
// Receivers call Verify with the raw body before parsing it, and use the
// event's id to ignore a delivery they have already processed.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Header is the name of the signature header.
const Header = "Disputed-Signature"

// DefaultTolerance is how far a signature's timestamp may be from now:
// older deliveries are refused so a captured one cannot be replayed later.
const DefaultTolerance = 5 * time.Minute

// Errors returned by Verify.
var (
	ErrMalformed = errors.New("webhook: malformed signature header")
	ErrExpired   = errors.New("webhook: signature timestamp outside the tolerance")
	ErrMismatch  = errors.New("webhook: signature does not match")
)

// Sign returns the header value for body sent at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks header against body and secret, and that its timestamp is
// within tolerance of now. Several v1 values may be present (while a secret
// is being rotated); one matching is enough. The comparison takes constant
// time.
func Verify(secret []byte, header string, body []byte, tolerance time.Duration, now time.Time) error {
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrMalformed
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sig, err := hex.DecodeString(v)
			if err != nil {
				return ErrMalformed
			}
			sigs = append(sigs, sig)
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrMalformed
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w (%s)", ErrExpired, d.Round(time.Second))
	}
	want := mac(secret, ts, body)
	for _, sig := range sigs {
		if hmac.Equal(sig, want) {
			return nil
		}
	}
	return ErrMismatch
}
