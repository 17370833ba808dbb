package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// feedServer answers the instruction feed with seqs 1..head, a page of at
// most 200 at a time, with cursors "0.seq".
func feedServer(head int64) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		after, _ := strconv.ParseInt(strings.TrimPrefix(r.URL.Query().Get("after"), "0."), 10, 64)
		f := feed{Items: []instruction{}, NextAfter: r.URL.Query().Get("after")}
		for seq := after + 1; seq <= head && seq <= after+200; seq++ {
			f.Items = append(f.Items, instruction{Seq: seq})
			f.NextAfter = "0." + strconv.FormatInt(seq, 10)
		}
		json.NewEncoder(w).Encode(f)
	}))
}

func TestFindHead(t *testing.T) {
	for _, head := range []int64{0, 1, 2, 3, 5, 8, 1000, 12_345} {
		srv := feedServer(head)
		l := &ledgerAcker{api: newAPIClient(srv.URL, 1)}
		want := ""
		if head > 0 {
			want = "0." + strconv.FormatInt(head, 10)
		}
		if err := l.findHead(context.Background()); err != nil || l.after != want {
			t.Errorf("head %d: found %q, %v", head, l.after, err)
		}
		srv.Close()
	}
}
