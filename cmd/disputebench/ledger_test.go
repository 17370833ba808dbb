package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// feedServer answers the instruction feed with seqs 1..head.
func feedServer(head int64) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
		f := feed{Items: []instruction{}, NextAfter: after}
		if after < head {
			f.Items = append(f.Items, instruction{Seq: after + 1})
			f.NextAfter = after + 1
		}
		json.NewEncoder(w).Encode(f)
	}))
}

func TestFindHead(t *testing.T) {
	for _, head := range []int64{0, 1, 2, 3, 5, 8, 1000, 1_234_567} {
		srv := feedServer(head)
		l := &ledgerAcker{api: newAPIClient(srv.URL, 1)}
		if err := l.findHead(context.Background()); err != nil || l.after != head {
			t.Errorf("head %d: found %d, %v", head, l.after, err)
		}
		srv.Close()
	}
}
