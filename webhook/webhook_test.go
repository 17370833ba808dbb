package webhook

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestSignVerify(t *testing.T) {
	secret, body := []byte("whsec_test"), []byte(`{"id":"evt_1","type":"instruction.created"}`)
	now := time.Unix(1_764_000_000, 0)
	header := Sign(secret, now, body)
	if header[:13] != "t=1764000000," {
		t.Fatalf("header %q", header)
	}
	if err := Verify(secret, header, body, DefaultTolerance, now.Add(time.Minute)); err != nil {
		t.Fatalf("valid signature refused: %v", err)
	}
	cases := map[string]struct {
		secret []byte
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		"other body":      {secret, header, []byte(`{"id":"evt_2"}`), now, ErrMismatch},
		"other secret":    {[]byte("nope"), header, body, now, ErrMismatch},
		"too old":         {secret, header, body, now.Add(6 * time.Minute), ErrExpired},
		"from the future": {secret, header, body, now.Add(-6 * time.Minute), ErrExpired},
		"no v1":           {secret, "t=1764000000", body, now, ErrMalformed},
		"no t":            {secret, header[14:], body, now, ErrMalformed},
		"not hex":         {secret, "t=1764000000,v1=zz", body, now, ErrMalformed},
		"garbage":         {secret, "garbage", body, now, ErrMalformed},
		"empty":           {secret, "", body, now, ErrMalformed},
	}
	for name, c := range cases {
		if err := Verify(c.secret, c.header, c.body, DefaultTolerance, c.now); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

// During a rotation the sender signs with both secrets; either verifies.
func TestVerifyAcceptsAnyOfSeveralSignatures(t *testing.T) {
	now := time.Unix(1_764_000_000, 0)
	body := []byte("{}")
	old, cur := Sign([]byte("old"), now, body), Sign([]byte("new"), now, body)
	header := fmt.Sprintf("%s,%s", old, cur[len("t=1764000000,"):])
	for _, s := range []string{"old", "new"} {
		if err := Verify([]byte(s), header, body, time.Minute, now); err != nil {
			t.Errorf("secret %s: %v", s, err)
		}
	}
}
