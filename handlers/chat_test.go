package handlers_test

import (
	"bytes"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/workflows"
)

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// upload sends content as the multipart field "file".
func (h *harness) upload(token, name string, content []byte) *resp {
	h.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		h.t.Fatal(err)
	}
	part.Write(content)
	w.Close()
	return h.do(req{method: "POST", path: "/v1/files", token: token, body: buf.String(),
		header: map[string]string{"Content-Type": w.FormDataContentType()}})
}

func (h *harness) conversation(projectID string) workflows.ConversationView {
	h.t.Helper()
	var c workflows.ConversationView
	h.get(h.token(emp), "/v1/projects/"+projectID+"/conversation").ok(200, &c)
	return c
}

func (h *harness) say(who, convID string, body map[string]any) workflows.MessageView {
	h.t.Helper()
	var m workflows.MessageView
	h.post(h.as(who), "/v1/conversations/"+convID+"/messages", body).ok(201, &m)
	return m
}

// The transcript, end to end: chat with a shared file and a call
// record, a dispute with a frozen excerpt and the file as evidence, the
// arbitrator reading the bundle with flags; then a message edited behind
// the service's back changes neither the excerpt nor its verified hash.
func TestChatEvidenceBundleEndToEnd(t *testing.T) {
	h := newHarness(t)
	h.get(h.as(arb), "/v1/disputes").ok(200, nil)
	p := h.project()
	conv := h.conversation(p.ID)
	if conv.Kind != "project" || len(conv.Participants) != 2 {
		t.Fatalf("conversation %+v", conv)
	}
	var f models.File
	h.upload(h.token(fl), "design-v2.pdf", pdf).ok(201, &f)
	if f.ContentType != "application/pdf" || f.Size != int64(len(pdf)) || len(f.SHA256) != 64 {
		t.Fatalf("file %+v", f)
	}
	m1 := h.say(fl, conv.ID, map[string]any{"body": "Here is the final design", "attachments": []string{f.ID}})
	m2 := h.say(emp, conv.ID, map[string]any{"call": map[string]any{"media": "video", "started_at": "2026-11-02T10:00:00Z", "duration_s": 1260}})
	m3 := h.say(fl, conv.ID, map[string]any{"body": "email me at sam.lee@gmail.com and we skip the fees"})
	if len(m3.Flags) != 0 {
		t.Fatal("parties must not see the detector's flags")
	}
	// The employer may now download the file shared with it.
	r := h.get(h.token(emp), "/v1/files/"+f.ID)
	if r.Status != 200 || !bytes.Equal(r.Body, pdf) || r.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("download %d %v", r.Status, r.Header)
	}

	m := h.heldMilestone(p.ID, 10000)
	d := h.file(fl, 10000, m.ID)
	var excerpt, fileEv workflows.EvidenceView
	h.post(h.token(fl), "/v1/disputes/"+d.ID+"/evidence", map[string]any{
		"kind": "chat", "conversation_id": conv.ID, "from_message_id": m1.ID, "to_message_id": m3.ID}).ok(201, &excerpt)
	h.post(h.token(fl), "/v1/disputes/"+d.ID+"/evidence", map[string]any{"kind": "file", "file_id": f.ID}).ok(201, &fileEv)
	h.post(h.token(emp), "/v1/disputes/"+d.ID+"/evidence", map[string]any{"kind": "note", "note": "The design misses the brief."}).ok(201, nil)
	if len(excerpt.Transcript.Messages) != 3 || !excerpt.Verified || !excerpt.Transcript.Messages[0].HashVerified ||
		excerpt.Transcript.Messages[1].Call.DurationS != 1260 || excerpt.Transcript.Messages[0].Attachments[0] != f.ID {
		t.Fatalf("excerpt %+v", excerpt)
	}

	// Escalate: both pay, the arbitrator is assigned and reads the bundle.
	h.act(emp, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 2000})
	h.act(fl, "/v1/disputes/"+d.ID+"/fee", nil)
	h.act(emp, "/v1/disputes/"+d.ID+"/fee", nil)
	h.runLedger()
	h.post(h.token(emp), "/v1/disputes/"+d.ID+"/evidence", map[string]any{"kind": "note", "note": "late"}).problem(409, "invalid_transition")

	// Someone edits the stored message directly.
	if err := h.db.Exec("UPDATE messages SET body = ? WHERE id = ?", "nothing to see here", m3.ID).Error; err != nil {
		t.Fatal(err)
	}
	var b workflows.Bundle
	h.get(h.as(arb), "/v1/disputes/"+d.ID+"/bundle").ok(200, &b)
	if b.Dispute.Stage != "arbitration" || !b.Timeline.Valid || len(b.Evidence) != 3 || len(b.Offers) != 2 {
		t.Fatalf("bundle %+v", b)
	}
	frozen := b.Evidence[0].Transcript.Messages[2]
	if frozen.Body != m3.Body || frozen.Hash != m3.Hash || !b.Evidence[0].Verified || b.Evidence[0].SHA256 != excerpt.SHA256 {
		t.Fatalf("the excerpt changed after the message row was edited: %+v", frozen)
	}
	kinds := map[string]bool{}
	for _, fl := range frozen.Flags {
		kinds[fl.Kind] = true
		if frozen.Body[fl.Start:fl.End] != fl.Match {
			t.Errorf("flag span %d:%d does not cover %q", fl.Start, fl.End, fl.Match)
		}
	}
	if !kinds["email"] {
		t.Fatalf("arbitrator sees no email flag: %+v", frozen.Flags)
	}
	// The arbitrator and support read the conversation (with flags) during the dispute, and the file.
	var msgs workflows.Page[workflows.MessageView]
	h.get(h.as(arb), "/v1/conversations/"+conv.ID+"/messages").ok(200, &msgs)
	if len(msgs.Items) != 3 || len(msgs.Items[0].Flags) == 0 {
		t.Fatalf("arbitrator's view %+v", msgs.Items)
	}
	h.get(h.as("sup"), "/v1/conversations/"+conv.ID).ok(200, nil)
	h.get(h.as(arb), "/v1/files/"+f.ID).ok(200, nil)
	// A party's evidence list hides the flags.
	var evs []workflows.EvidenceView
	h.get(h.token(emp), "/v1/disputes/"+d.ID+"/evidence").ok(200, &evs)
	if len(evs) != 3 || len(evs[0].Transcript.Messages[2].Flags) != 0 {
		t.Fatalf("party evidence %+v", evs)
	}
	_ = m2
}

func TestChatRefusals(t *testing.T) {
	h := newHarness(t)
	p := h.project()
	conv := h.conversation(p.ID)
	other := h.project()
	otherConv := h.conversation(other.ID)
	foreign := h.say(emp, otherConv.ID, map[string]any{"body": "other project"})
	mine := h.say(emp, conv.ID, map[string]any{"body": "hello"})
	var f models.File
	h.upload(h.token(emp), "a.pdf", pdf).ok(201, &f)
	stranger, sup, arbTok := h.token("stranger"), h.as("sup"), h.as(arb)

	// Reading: strangers, and support or arbitrators without a dispute, see nothing.
	for _, tok := range []string{stranger, sup, arbTok} {
		h.get(tok, "/v1/projects/"+p.ID+"/conversation").problem(404, "not_found")
		h.get(tok, "/v1/conversations/"+conv.ID).problem(404, "not_found")
		h.get(tok, "/v1/conversations/"+conv.ID+"/messages").problem(404, "not_found")
		h.get(tok, "/v1/files/"+f.ID).problem(404, "not_found")
	}
	for _, path := range []string{"/v1/projects/" + p.ID + "/conversation", "/v1/conversations/" + conv.ID,
		"/v1/conversations/" + conv.ID + "/messages", "/v1/files/" + f.ID} {
		h.get("", path).problem(401, "unauthorized")
	}
	h.get(h.token(fl), "/v1/files/"+f.ID).problem(404, "not_found") // not shared with the freelancer yet
	h.get(h.token(emp), "/v1/files/fil_nope").problem(404, "not_found")
	h.do(req{method: "GET", path: "/v1/conversations/" + conv.ID + "/messages?limit=999", token: h.token(emp), bad: true}).problem(422, "validation_failed")

	cases := []struct {
		name, token, path string
		body              any
		status            int
		code              string
	}{
		{"post: no token", "", "/v1/conversations/" + conv.ID + "/messages", map[string]any{"body": "x"}, 401, "unauthorized"},
		{"post: stranger", stranger, "/v1/conversations/" + conv.ID + "/messages", map[string]any{"body": "x"}, 404, "not_found"},
		{"post: empty", h.token(emp), "/v1/conversations/" + conv.ID + "/messages", map[string]any{}, 422, "validation_failed"},
		{"post: someone else's file", h.token(fl), "/v1/conversations/" + conv.ID + "/messages", map[string]any{"attachments": []string{f.ID}}, 422, "attachment_not_found"},
		{"post: bad call", h.token(fl), "/v1/conversations/" + conv.ID + "/messages", map[string]any{"call": map[string]any{"media": "fax", "started_at": "2026-11-02T10:00:00Z", "duration_s": 1}}, 422, "validation_failed"},
		{"post: negative call", h.token(fl), "/v1/conversations/" + conv.ID + "/messages", map[string]any{"call": map[string]any{"media": "audio", "started_at": "2026-11-02T10:00:00Z", "duration_s": -1}}, 422, "validation_failed"},
		{"group: no token", "", "/v1/conversations", map[string]any{"project_id": p.ID, "title": "t"}, 401, "unauthorized"},
		{"group: stranger", stranger, "/v1/conversations", map[string]any{"project_id": p.ID, "title": "t"}, 404, "not_found"},
		{"group: support", sup, "/v1/conversations", map[string]any{"project_id": p.ID, "title": "t"}, 403, "forbidden"},
		{"group: no title", h.token(emp), "/v1/conversations", map[string]any{"project_id": p.ID}, 422, "validation_failed"},
		{"add: no token", "", "/v1/conversations/" + conv.ID + "/participants", map[string]any{"user_id": "x"}, 401, "unauthorized"},
		{"add: stranger", stranger, "/v1/conversations/" + conv.ID + "/participants", map[string]any{"user_id": "x"}, 404, "not_found"},
		{"add: project conversation", h.token(emp), "/v1/conversations/" + conv.ID + "/participants", map[string]any{"user_id": "x"}, 409, "project_conversation_closed"},
		{"add: missing user", h.token(emp), "/v1/conversations/" + conv.ID + "/participants", map[string]any{}, 422, "validation_failed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := h.with(t)
			h.unchanged(func() {
				h.do(req{method: "POST", path: c.path, token: c.token, body: c.body, bad: true}).problem(c.status, c.code)
			})
		})
	}

	// Groups: the parties are always in; added people read and write; an outsider added by a party cannot add others.
	var g workflows.ConversationView
	h.post(h.token(emp), "/v1/conversations", map[string]any{"project_id": p.ID, "title": "with the designer", "participant_ids": []string{"designer"}}).ok(201, &g)
	if len(g.Participants) != 3 {
		t.Fatalf("group %+v", g)
	}
	h.say("designer", g.ID, map[string]any{"body": "hi all"})
	h.post(h.token("designer"), "/v1/conversations/"+g.ID+"/participants", map[string]any{"user_id": "friend"}).problem(403, "forbidden")
	h.post(h.token(fl), "/v1/conversations/"+g.ID+"/participants", map[string]any{"user_id": "qa"}).ok(200, &g)
	if len(g.Participants) != 4 {
		t.Fatalf("group %+v", g)
	}
	h.get(h.token("designer"), "/v1/conversations/"+conv.ID).problem(404, "not_found")

	// Evidence may not cite another project's conversation or messages.
	d := h.file(fl, 100, h.heldMilestone(p.ID, 1000).ID)
	ev := "/v1/disputes/" + d.ID + "/evidence"
	h.unchanged(func() {
		h.post(h.token(emp), ev, map[string]any{"kind": "chat", "conversation_id": otherConv.ID, "message_ids": []string{foreign.ID}}).problem(422, "conversation_not_in_project")
		h.post(h.token(emp), ev, map[string]any{"kind": "chat", "conversation_id": conv.ID, "message_ids": []string{mine.ID, foreign.ID}}).problem(422, "message_not_in_conversation")
		h.post(h.token(emp), ev, map[string]any{"kind": "chat", "conversation_id": g.ID, "from_message_id": foreign.ID, "to_message_id": foreign.ID}).problem(422, "message_not_in_conversation")
		h.post(h.token(emp), ev, map[string]any{"kind": "file", "file_id": "fil_nope"}).problem(422, "file_not_found")
		h.post(h.token(fl), ev, map[string]any{"kind": "file", "file_id": f.ID}).problem(422, "file_not_found")
		h.do(req{method: "POST", path: ev, token: h.token(emp), body: map[string]any{"kind": "chat", "conversation_id": conv.ID}, bad: true}).problem(422, "validation_failed")
		h.do(req{method: "POST", path: ev, token: h.token(emp), body: map[string]any{"kind": "note"}, bad: true}).problem(422, "validation_failed")
		h.do(req{method: "POST", path: ev, token: h.token(emp), body: map[string]any{"kind": "video"}, bad: true}).problem(422, "validation_failed")
		h.post("", ev, map[string]any{"kind": "note", "note": "x"}).problem(401, "unauthorized")
		h.post(stranger, ev, map[string]any{"kind": "note", "note": "x"}).problem(404, "not_found")
		h.post(sup, ev, map[string]any{"kind": "note", "note": "x"}).problem(403, "forbidden")
	})
	for _, path := range []string{ev, "/v1/disputes/" + d.ID + "/bundle"} {
		h.get("", path).problem(401, "unauthorized")
		h.get(stranger, path).problem(404, "not_found")
		h.get(arbTok, path).problem(404, "not_found")
		h.get(sup, path).ok(200, nil)
	}
}

func TestUploadRefusals(t *testing.T) {
	h := newHarness(t)
	tok := h.token(emp)
	h.unchanged(func() {
		h.upload("", "a.pdf", pdf).problem(401, "unauthorized")
		h.upload(tok, "page.html", []byte("<html><script>alert(1)</script></html>")).problem(422, "file_type_not_allowed")
		h.upload(tok, "tool.pdf", append([]byte("MZ\x90\x00"), bytes.Repeat([]byte{0}, 600)...)).problem(422, "file_type_not_allowed")
		h.upload(tok, "archive.zip", append([]byte("PK\x03\x04"), bytes.Repeat([]byte{1}, 100)...)).problem(422, "file_type_not_allowed")
		h.upload(tok, "empty.pdf", nil).problem(422, "file_empty")
		big := append(append([]byte{}, pdf...), bytes.Repeat([]byte("0"), testMaxUpload)...)
		h.upload(tok, "big.pdf", big).problem(422, "file_too_large")
		h.do(req{method: "POST", path: "/v1/files", token: tok, body: map[string]any{"file": "x"}, bad: true}).problem(415, "unsupported_media_type")
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		w.WriteField("other", "x")
		w.Close()
		h.do(req{method: "POST", path: "/v1/files", token: tok, body: buf.String(), bad: true,
			header: map[string]string{"Content-Type": w.FormDataContentType()}}).problem(422, "validation_failed")
	})
	var f models.File
	h.upload(tok, "notes.txt", []byte("plain notes, UTF-8: café")).ok(201, &f)
	if f.ContentType != "text/plain; charset=utf-8" {
		t.Fatalf("%+v", f)
	}
}

func TestReportsAndSanctions(t *testing.T) {
	h := newHarness(t)
	p := h.project()
	conv := h.conversation(p.ID)
	m := h.say(fl, conv.ID, map[string]any{"body": "whatsapp me +44 7911 123456"})
	mine := h.say(emp, conv.ID, map[string]any{"body": "no thanks"})
	sup := h.as("sup")
	stranger := h.token("stranger")
	h.unchanged(func() {
		h.post("", "/v1/reports", map[string]any{"user_id": fl, "message_ids": []string{m.ID}}).problem(401, "unauthorized")
		h.post(stranger, "/v1/reports", map[string]any{"user_id": fl, "message_ids": []string{m.ID}}).problem(422, "messages_not_reportable")
		h.post(h.token(emp), "/v1/reports", map[string]any{"user_id": fl, "message_ids": []string{mine.ID}}).problem(422, "messages_not_reportable")
		h.post(h.token(emp), "/v1/reports", map[string]any{"user_id": emp, "message_ids": []string{mine.ID}}).problem(422, "validation_failed")
		h.do(req{method: "POST", path: "/v1/reports", token: h.token(emp), body: map[string]any{"user_id": fl, "message_ids": []string{}}, bad: true}).problem(422, "validation_failed")
	})
	var rep workflows.ReportView
	h.post(h.token(emp), "/v1/reports", map[string]any{"user_id": fl, "message_ids": []string{m.ID}, "note": "asked to move to WhatsApp"}).ok(201, &rep)
	var reports workflows.Page[workflows.ReportView]
	h.get(sup, "/v1/reports").ok(200, &reports)
	if len(reports.Items) != 1 || reports.Items[0].MessageIDs[0] != m.ID {
		t.Fatalf("reports %+v", reports)
	}
	h.get(h.token(emp), "/v1/reports").problem(404, "not_found")
	h.get("", "/v1/reports").problem(401, "unauthorized")

	until := h.clock.Now().Add(7 * 24 * time.Hour).Format(time.RFC3339)
	h.unchanged(func() {
		h.post(h.token(emp), "/v1/users/"+fl+"/sanctions", map[string]any{"kind": "warning", "reason": "x"}).problem(404, "not_found")
		h.post("", "/v1/users/"+fl+"/sanctions", map[string]any{"kind": "warning", "reason": "x"}).problem(401, "unauthorized")
		h.do(req{method: "POST", path: "/v1/users/" + fl + "/sanctions", token: sup, body: map[string]any{"kind": "ban", "reason": "x"}, bad: true}).problem(422, "validation_failed")
		h.post(sup, "/v1/users/"+fl+"/sanctions", map[string]any{"kind": "warning", "reason": "x", "until": until}).problem(422, "validation_failed")
		h.post(sup, "/v1/users/"+fl+"/sanctions", map[string]any{"kind": "suspension", "reason": "x", "until": "2020-01-01T00:00:00Z"}).problem(422, "validation_failed")
	})
	// A dispute open before the suspension can still be answered.
	d := h.file(emp, 0, h.heldMilestone(p.ID, 1000).ID)
	h.post(sup, "/v1/users/"+fl+"/sanctions", map[string]any{"kind": "suspension", "reason": "offsite solicitation", "until": until}).ok(201, nil)
	h.unchanged(func() {
		h.post(h.token(fl), "/v1/conversations/"+conv.ID+"/messages", map[string]any{"body": "hi"}).problem(403, "user_suspended")
		h.post(h.token(fl), "/v1/projects", map[string]any{"title": "x", "freelancer_id": "fl-9", "currency": "USD"}).problem(403, "user_suspended")
	})
	h.get(h.token(fl), "/v1/conversations/"+conv.ID+"/messages").ok(200, nil)
	h.act(fl, "/v1/disputes/"+d.ID+"/offers", map[string]any{"release_amount": 800})
	var sanctions []models.Sanction
	h.get(h.token(fl), "/v1/users/"+fl+"/sanctions").ok(200, &sanctions)
	if len(sanctions) != 1 || sanctions[0].Kind != "suspension" {
		t.Fatalf("%+v", sanctions)
	}
	h.get(h.token(emp), "/v1/users/"+fl+"/sanctions").problem(404, "not_found")
	h.get("", "/v1/users/"+fl+"/sanctions").problem(401, "unauthorized")
	// The suspension ends.
	h.clock.Advance(8 * 24 * time.Hour)
	h.say(fl, conv.ID, map[string]any{"body": "back"})
}

func TestSuspendedUserCannotFile(t *testing.T) {
	h := newHarness(t)
	m := h.heldMilestone(h.project().ID, 1000)
	h.post(h.as("sup"), "/v1/users/"+fl+"/sanctions", map[string]any{"kind": "suspension", "reason": "x"}).ok(201, nil)
	h.unchanged(func() {
		h.post(h.token(fl), "/v1/disputes", map[string]any{"milestone_ids": []string{m.ID}, "reason": "other", "description": "x", "release_amount": 0}).problem(403, "user_suspended")
	})
}
