package workflows

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// svgTexts decodes svg as XML (failing the test if it is not well formed)
// and returns the character data of every <text> element, and the
// data-from/data-to pairs of the drawn transitions.
func svgTexts(t *testing.T, svg string) (texts []string, arrows map[string]bool) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	dec.Strict = true
	arrows = map[string]bool{}
	var stack []string
	var cur strings.Builder
	root := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
				if tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("root namespace = %q, want the SVG namespace", tok.Name.Space)
				}
			}
			stack = append(stack, tok.Name.Local)
			if tok.Name.Local == "text" {
				cur.Reset()
			}
			if tok.Name.Local == "g" {
				var from, to string
				for _, a := range tok.Attr {
					switch a.Name.Local {
					case "data-from":
						from = a.Value
					case "data-to":
						to = a.Value
					}
				}
				if to != "" {
					arrows[from+"->"+to] = true
				}
			}
		case xml.CharData:
			// The text of a <text>, not of the <title> tooltip inside it.
			if len(stack) > 0 && stack[len(stack)-1] == "text" {
				cur.Write(tok)
			}
		case xml.EndElement:
			if tok.Name.Local == "text" {
				texts = append(texts, strings.TrimSpace(cur.String()))
			}
			stack = stack[:len(stack)-1]
		}
	}
	if root != "svg" {
		t.Fatalf("root element = %q, want svg", root)
	}
	return texts, arrows
}

func TestLifecycleSVG(t *testing.T) {
	svg := LifecycleSVG()
	texts, arrows := svgTexts(t, svg)
	has := func(s string) bool {
		for _, x := range texts {
			if x == s || strings.HasSuffix(x, " "+s) {
				return true
			}
		}
		return false
	}
	for _, s := range Stages {
		if !has(string(s)) {
			t.Errorf("stage %s is not labelled in the SVG", s)
		}
	}
	for _, tr := range Machine {
		label := fmt.Sprintf("%s (%s)", tr.Action, tr.Who)
		if !has(label) {
			t.Errorf("transition %s --%s--> %s: label %q missing", tr.From, tr.Action, tr.To, label)
		}
		if tr.From == tr.To {
			continue // listed inside the stage box
		}
		if !arrows[string(tr.From)+"->"+string(tr.To)] {
			t.Errorf("no arrow from %q to %s for %s", tr.From, tr.To, tr.Action)
		}
		if tr.Starts != "" && !has("starts "+tr.Starts+" window") {
			t.Errorf("%s starts the %s window, which the SVG does not say", tr.Action, tr.Starts)
		}
	}
	for _, bad := range []string{"<script", "href=", "@import", "http://", "https://"} {
		clean := strings.ReplaceAll(svg, `xmlns="http://www.w3.org/2000/svg"`, "")
		if strings.Contains(clean, bad) {
			t.Errorf("SVG contains %q; it must be self-contained", bad)
		}
	}
	// The stages run top to bottom in lifecycle order.
	last := -1
	for _, s := range []Stage{StageAwaitingResponse, StageNegotiation, StageFinalOffers, StageArbitration} {
		i := strings.Index(svg, `data-stage="`+string(s)+`"`)
		if i < 0 || i < last {
			t.Errorf("stage box %s missing or out of lifecycle order", s)
		}
		last = i
	}
}

// TestLifecycleSVGOtherMachines draws machines with shapes Machine does not
// have (a backward edge, a skipped stage, a third closing stage, text to
// escape) to check the layout's fallbacks still produce a complete diagram.
func TestLifecycleSVGOtherMachines(t *testing.T) {
	m := []Transition{
		{"", "open", "party", "", "a", "response"},
		{"a", "next", "party", "x < y & z", "b", ""},
		{"b", "back", "support", "", "a", ""},
		{"a", "jump", "system", "", "c", ""},
		{"c", "finish", "arbitrator", "", "done", ""},
		{"b", "drop", "claimant", "", "gone", ""},
		{"c", "void", "support", "", "voided", ""},
		{"c", "note<&>", "party", "", "c", ""},
	}
	svg := lifecycleSVG(m, []Stage{"a", "b", "c", "done", "gone", "voided"})
	texts, arrows := svgTexts(t, svg)
	joined := strings.Join(texts, "\n")
	for _, tr := range m {
		if !strings.Contains(joined, fmt.Sprintf("%s (%s)", tr.Action, tr.Who)) {
			t.Errorf("label for %s missing", tr.Action)
		}
		if tr.From != tr.To && !arrows[string(tr.From)+"->"+string(tr.To)] {
			t.Errorf("no arrow %q -> %q", tr.From, tr.To)
		}
	}
}
