package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestExpand(t *testing.T) {
	for _, tc := range []struct {
		route string
		args  []string
		want  string
	}{
		{"/v1/disputes", nil, "/v1/disputes"},
		{"/v1/disputes/{id}", []string{"dsp_1"}, "/v1/disputes/dsp_1"},
		{"/v1/disputes/{id}/offers/{offer_id}/accept", []string{"dsp_1", "ofr_2"}, "/v1/disputes/dsp_1/offers/ofr_2/accept"},
		{"/v1/milestones/{id}", []string{"a/b c"}, "/v1/milestones/a%2Fb%20c"}, // an id never escapes its segment
	} {
		got, err := expand(tc.route, tc.args...)
		if err != nil || got != tc.want {
			t.Errorf("expand(%q, %q) = %q, %v; want %q", tc.route, tc.args, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		route string
		args  []string
	}{
		{"/v1/disputes/{id}", nil},
		{"/v1/disputes", []string{"extra"}},
		{"/v1/disputes/{id", []string{"x"}},
	} {
		if got, err := expand(tc.route, tc.args...); err == nil {
			t.Errorf("expand(%q, %q) = %q, want an error", tc.route, tc.args, got)
		}
	}
}

func TestCallName(t *testing.T) {
	c := call{method: "POST", route: "/v1/disputes/{id}/offers", args: []string{"dsp_1"}}
	if got := c.name(); got != "POST /v1/disputes/{id}/offers" {
		t.Errorf("name %q: want the route template, not the path", got)
	}
	c = call{method: "GET", route: "/v1/milestones/{id}", label: "hold poll"}
	if got := c.name(); got != "GET /v1/milestones/{id} [hold poll]" {
		t.Errorf("labelled name %q", got)
	}
}

func TestDoRecordsByTemplate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			t.Errorf("authorization %q", r.Header.Get("Authorization"))
		}
		if r.URL.Path == "/v1/disputes/bad" {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(`{"status":409,"code":"offer_not_open","title":"Conflict","detail":"the offer is no longer open"}`))
			return
		}
		w.Write([]byte(`{"id":"` + r.URL.Path + `","q":"` + r.URL.RawQuery + `"}`))
	}))
	defer srv.Close()
	api, rec := newAPIClient(srv.URL, 2), newRecorder()
	get := func(id string) call {
		return call{method: "GET", route: "/v1/disputes/{id}", args: []string{id}, token: "tok", query: url.Values{"limit": {"50"}}}
	}
	var out struct{ ID, Q string }
	if err := api.do(context.Background(), rec, get("dsp_1"), &out); err != nil {
		t.Fatal(err)
	}
	if out.ID != "/v1/disputes/dsp_1" || out.Q != "limit=50" {
		t.Errorf("decoded %+v", out)
	}
	err := api.do(context.Background(), rec, get("bad"), nil)
	var ae *apiError
	if !errors.As(err, &ae) || ae.key() != "409 offer_not_open" {
		t.Fatalf("error %v, want a 409 offer_not_open", err)
	}
	s := rec.byName["GET /v1/disputes/{id}"]
	if s == nil || len(s.lat) != 2 || s.errors["409 offer_not_open"] != 1 {
		t.Fatalf("recorded %+v, want both calls under the template", rec.byName)
	}

	// A call cut short by the end of the run is not a failure of the server.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := api.do(ctx, rec, get("dsp_2"), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled call: %v", err)
	}
	if len(s.lat) != 2 || s.errors[transportError] != 0 {
		t.Errorf("a cancelled call was recorded: %+v", s)
	}
}

func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&apiError{status: 409}, false},
		{&apiError{status: 503}, true},
		{&apiError{status: 429}, true},
		{errors.New("connection refused"), true},
	} {
		if got := retryable(tc.err); got != tc.want {
			t.Errorf("retryable(%v) = %v", tc.err, got)
		}
	}
}
