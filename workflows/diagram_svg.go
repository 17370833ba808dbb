package workflows

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"unicode/utf8"
)

// LifecycleSVG draws Machine as a self-contained SVG (no scripts, fonts or
// external references), for the docs page.
//
// Layout: the stages that have outgoing transitions form a column, top to
// bottom in Stages order, each a box listing the actions that keep the stage
// (self-loops, marked ↻). The closing stages are tall boxes beside the
// column: the first (resolved) on the right, the second (withdrawn) on the
// left. Arrows are labelled "action (who)", with "starts X window" when the
// transition starts a deadline; transitions sharing both ends share an arrow.
// A transition between stages that are not neighbours in the column, which
// Machine does not have today, is drawn as a curve to the right of the column.
func LifecycleSVG() string {
	return lifecycleSVG(Machine, Stages)
}

const (
	svgFont      = 12.0 // label font size, px
	svgTitleFont = 14.0 // stage name font size, px
	svgCharW     = 7.0  // generous width of one label character at svgFont
	svgTitleW    = 8.6  // of one bold stage-name character at svgTitleFont
	svgLineH     = 16.0 // label line height
	svgPad       = 12.0 // padding inside boxes
	svgMargin    = 16.0
	svgTitleH    = 30.0 // title band of a stage box
	svgMinBoxW   = 170.0
	svgTermW     = 116.0
	svgStartGap  = 56.0 // from the start dot to the first box
	svgMinRowGap = 44.0
)

const svgLegend = "↻ an action that keeps the stage. Arrows: action (who) moves the dispute on. Hover for guards."

type svgLabel struct {
	text  string
	class string // "lbl" or "win"
}

type svgEdge struct {
	from, to Stage
	labels   []svgLabel
	guards   []string
}

type svgBox struct {
	stage      Stage
	x, y, w, h float64
	loops      []Transition
}

func (b *svgBox) cx() float64 { return b.x + b.w/2 }
func (b *svgBox) cy() float64 { return b.y + b.h/2 }

func textW(s string, per float64) float64 { return float64(utf8.RuneCountInString(s)) * per }

func esc(s string) string { return html.EscapeString(s) }

func labelFor(t Transition) string { return fmt.Sprintf("%s (%s)", t.Action, t.Who) }

func windowLabel(t Transition) string { return "starts " + t.Starts + " window" }

func guardText(t Transition) string {
	g := labelFor(t)
	if t.Guard != "" {
		g += " when " + t.Guard
	}
	if t.Starts != "" {
		g += "; " + windowLabel(t)
	}
	return g
}

func labelsWidth(ls []svgLabel) float64 {
	w := 0.0
	for _, l := range ls {
		w = max(w, textW(l.text, svgCharW))
	}
	return w
}

func lifecycleSVG(machine []Transition, stages []Stage) string {
	// Which stages have outgoing transitions (the column) and which close the case.
	hasOut := map[Stage]bool{}
	for _, t := range machine {
		if t.From != "" {
			hasOut[t.From] = true
		}
	}
	known := map[Stage]bool{}
	var column, terminals []Stage
	add := func(s Stage) {
		if s == "" || known[s] {
			return
		}
		known[s] = true
		if hasOut[s] {
			column = append(column, s)
		} else {
			terminals = append(terminals, s)
		}
	}
	for _, s := range stages {
		add(s)
	}
	for _, t := range machine { // stages Machine uses that Stages does not list
		add(t.From)
		add(t.To)
	}
	row := map[Stage]int{}
	for i, s := range column {
		row[s] = i
	}

	// Group transitions into self-loops, start edges and edges.
	loops := map[Stage][]Transition{}
	var starts, edges []*svgEdge
	find := func(list []*svgEdge, from, to Stage) *svgEdge {
		for _, e := range list {
			if e.from == from && e.to == to {
				return e
			}
		}
		return nil
	}
	for _, t := range machine {
		if t.From != "" && t.From == t.To {
			loops[t.From] = append(loops[t.From], t)
			continue
		}
		list := &edges
		if t.From == "" {
			list = &starts
		}
		e := find(*list, t.From, t.To)
		if e == nil {
			e = &svgEdge{from: t.From, to: t.To}
			*list = append(*list, e)
		}
		e.labels = append(e.labels, svgLabel{labelFor(t), "lbl"})
		if t.Starts != "" {
			e.labels = append(e.labels, svgLabel{windowLabel(t), "win"})
		}
		e.guards = append(e.guards, guardText(t))
	}

	// Terminal sides: the first on the right, the second on the left, and so
	// on, each further one on a side placed outside the previous.
	side := map[Stage]int{}  // +1 right, -1 left
	depth := map[Stage]int{} // 0 next to the column, 1 outside that, ...
	perSide := map[int]int{}
	for i, s := range terminals {
		sd := 1
		if i%2 == 1 {
			sd = -1
		}
		side[s] = sd
		depth[s] = perSide[sd]
		perSide[sd]++
	}

	// Column box sizes.
	boxW := svgMinBoxW
	for _, s := range column {
		boxW = max(boxW, textW(string(s), svgTitleW)+2*svgPad)
		for _, t := range loops[s] {
			boxW = max(boxW, textW("↻ "+labelFor(t), svgCharW)+2*svgPad)
		}
	}
	// Side gaps fit the labels of the horizontal arrows.
	gapW := map[int]float64{1: 60, -1: 60}
	var vertLabelW float64
	var downs, ups, curves, horiz []*svgEdge
	for _, e := range edges {
		_, fromCol := row[e.from]
		_, toCol := row[e.to]
		switch {
		case fromCol && toCol && row[e.to] == row[e.from]+1:
			downs = append(downs, e)
			vertLabelW = max(vertLabelW, labelsWidth(e.labels))
		case fromCol && toCol && row[e.to] == row[e.from]-1:
			ups = append(ups, e)
		case fromCol && !toCol:
			horiz = append(horiz, e)
			if depth[e.to] == 0 {
				gapW[side[e.to]] = max(gapW[side[e.to]], labelsWidth(e.labels)+36)
			}
		default:
			curves = append(curves, e)
			gapW[1] = max(gapW[1], labelsWidth(e.labels)+80)
		}
	}
	for _, e := range starts {
		vertLabelW = max(vertLabelW, labelsWidth(e.labels))
	}

	// Row heights and gaps.
	gapH := make([]float64, max(len(column)-1, 0))
	for _, e := range append(slices.Clone(downs), ups...) {
		i := min(row[e.from], row[e.to])
		gapH[i] = max(gapH[i], svgMinRowGap, float64(len(e.labels))*svgLineH+20)
	}
	for i := range gapH {
		gapH[i] = max(gapH[i], svgMinRowGap)
	}
	startLines := 0
	for _, e := range starts {
		startLines = max(startLines, len(e.labels))
	}
	top := svgMargin
	if len(starts) > 0 {
		top += 14 + max(svgStartGap, float64(startLines)*svgLineH+24)
	}

	// Horizontal extents: terminals on the left, the column, terminals on the right.
	termW := map[Stage]float64{}
	for _, s := range terminals {
		termW[s] = max(svgTermW, textW(string(s), svgTitleW)+2*svgPad)
	}
	outer := func(sd int) []float64 { // widths of the terminal boxes on a side, by depth
		ws := make([]float64, perSide[sd])
		for _, s := range terminals {
			if side[s] == sd {
				ws[depth[s]] = termW[s]
			}
		}
		return ws
	}
	x := svgMargin
	leftX := map[int]float64{}
	lw := outer(-1)
	for d := len(lw) - 1; d >= 0; d-- {
		leftX[d] = x
		x += lw[d] + 40
	}
	if len(lw) > 0 {
		x += gapW[-1] - 40
	}
	colX := x
	// Vertical labels sit right of the column's centre line; keep them inside
	// the column plus the right gap.
	colRight := colX + boxW
	if need := colX + boxW/2 + 10 + vertLabelW - colRight; need > 0 && need > gapW[1]-20 {
		gapW[1] = need + 20
	}
	x = colRight
	rightX := map[int]float64{}
	rw := outer(1)
	if len(rw) > 0 {
		x += gapW[1]
		for d := range rw {
			rightX[d] = x
			x += rw[d] + 40
		}
		x -= 40
	} else if len(curves) > 0 {
		x += gapW[1]
	}
	width := max(x+svgMargin, colX+boxW/2+10+vertLabelW+svgMargin)

	// Column boxes.
	boxes := map[Stage]*svgBox{}
	y := top
	for i, s := range column {
		h := svgTitleH + float64(len(loops[s]))*svgLineH + 10
		h = max(h, 56)
		boxes[s] = &svgBox{stage: s, x: colX, y: y, w: boxW, h: h, loops: loops[s]}
		y += h
		if i < len(gapH) {
			y += gapH[i]
		}
	}
	colBottom := y

	// Terminal boxes span the rows of the stages that lead to them.
	for _, s := range terminals {
		lo, hi := -1, -1
		for _, e := range horiz {
			if e.to == s {
				r := row[e.from]
				if lo < 0 || r < lo {
					lo = r
				}
				hi = max(hi, r)
			}
		}
		b := &svgBox{stage: s, w: termW[s]}
		if lo < 0 {
			b.y, b.h = top, max(colBottom-top, 56)
		} else {
			first, last := boxes[column[lo]], boxes[column[hi]]
			b.y = first.y
			b.h = last.y + last.h - first.y
		}
		if side[s] > 0 {
			b.x = rightX[depth[s]]
		} else {
			b.x = leftX[depth[s]]
		}
		boxes[s] = b
	}
	legendY := max(colBottom, top) + 14
	width = max(width, textW(svgLegend, 6.5)+2*svgMargin)
	height := legendY + 6 + svgMargin

	var out strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&out, format, args...) }
	w(`<svg xmlns="http://www.w3.org/2000/svg" class="lifecycle" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="lc-title lc-desc">`+"\n", width, height, width, height)
	w(`<title id="lc-title">Dispute lifecycle</title>` + "\n")
	w(`<desc id="lc-desc">Stages of a dispute and the transitions between them, generated from workflows.Machine. Actions listed inside a stage keep the dispute in that stage.</desc>` + "\n")
	w(`<defs><marker id="lc-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>` + "\n")
	w(`<style>
.lifecycle text{font-family:"DejaVu Sans",Verdana,Arial,sans-serif;font-size:%.0fpx;fill:#222}
.lifecycle .ttl{font-size:%.0fpx;font-weight:bold}
.lifecycle .loop{fill:#333}
.lifecycle .legend{font-size:11px;fill:#555}
.lifecycle .win{font-style:italic;fill:#8a5a00}
.lifecycle .edge{stroke:#444;stroke-width:1.5;fill:none;marker-end:url(#lc-arrow)}
.lifecycle .stage{fill:#eef4ff;stroke:#3b6bb5;stroke-width:1.5}
.lifecycle .final{fill:#e9f7ec;stroke:#2f8a46;stroke-width:1.5}
.lifecycle .gone{fill:#f2f2f2;stroke:#777;stroke-width:1.5}
</style>
`, svgFont, svgTitleFont)

	labelBlock := func(ls []svgLabel, x, y float64, anchor string) { // y: baseline of the first line
		for i, l := range ls {
			w(`<text class="%s" x="%.1f" y="%.1f" text-anchor="%s">%s</text>`+"\n", l.class, x, y+float64(i)*svgLineH, anchor, esc(l.text))
		}
	}
	edgeGroup := func(e *svgEdge) {
		w(`<g class="transition" data-from="%s" data-to="%s"><title>%s</title>`+"\n", esc(string(e.from)), esc(string(e.to)), esc(strings.Join(e.guards, "\n")))
	}

	// Edges first, so boxes cover their ends neatly.
	for _, e := range starts {
		b := boxes[e.to]
		if b == nil {
			continue
		}
		dotX, dotY := b.cx(), svgMargin+7
		edgeGroup(e)
		w(`<circle cx="%.1f" cy="%.1f" r="7" fill="#222"/>`+"\n", dotX, dotY)
		if b.x <= dotX && dotX <= b.x+b.w {
			w(`<path class="edge" d="M%.1f,%.1f V%.1f"/>`+"\n", dotX, dotY+7, b.y)
		} else {
			w(`<path class="edge" d="M%.1f,%.1f L%.1f,%.1f"/>`+"\n", dotX, dotY+7, b.cx(), b.y)
		}
		mid := (dotY + 7 + b.y) / 2
		labelBlock(e.labels, dotX+10, mid-float64(len(e.labels)-1)*svgLineH/2+4, "start")
		w("</g>\n")
	}
	for _, e := range downs {
		a, b := boxes[e.from], boxes[e.to]
		edgeGroup(e)
		w(`<path class="edge" d="M%.1f,%.1f V%.1f"/>`+"\n", a.cx(), a.y+a.h, b.y)
		mid := (a.y + a.h + b.y) / 2
		labelBlock(e.labels, a.cx()+10, mid-float64(len(e.labels)-1)*svgLineH/2+4, "start")
		w("</g>\n")
	}
	for _, e := range ups {
		a, b := boxes[e.from], boxes[e.to]
		x := a.cx() - 40
		edgeGroup(e)
		w(`<path class="edge" d="M%.1f,%.1f V%.1f"/>`+"\n", x, a.y, b.y+b.h)
		mid := (a.y + b.y + b.h) / 2
		labelBlock(e.labels, x-10, mid-float64(len(e.labels)-1)*svgLineH/2+4, "end")
		w("</g>\n")
	}
	// Horizontal arrows to the closing stages; several from one box to one
	// side are spread vertically.
	count := map[[2]any]int{}
	for _, e := range horiz {
		count[[2]any{e.from, side[e.to]}]++
	}
	seen := map[[2]any]int{}
	for _, e := range horiz {
		a, t := boxes[e.from], boxes[e.to]
		k := [2]any{e.from, side[e.to]}
		n, i := count[k], seen[k]
		seen[k]++
		y := a.cy() + (float64(i)-float64(n-1)/2)*18
		y = max(y, a.y+8)
		edgeGroup(e)
		var x1, x2, lx float64
		anchor := "middle"
		if side[e.to] > 0 {
			x1, x2 = a.x+a.w, t.x
		} else {
			x1, x2 = a.x, t.x+t.w
		}
		lx = (x1 + x2) / 2
		if depth[e.to] > 0 { // crosses nearer closing boxes: label next to the column
			if side[e.to] > 0 {
				lx, anchor = x1+8, "start"
			} else {
				lx, anchor = x1-8, "end"
			}
		}
		w(`<path class="edge" d="M%.1f,%.1f H%.1f"/>`+"\n", x1, y, x2)
		labelBlock(e.labels, lx, y-6-float64(len(e.labels)-1)*svgLineH, anchor)
		w("</g>\n")
	}
	for i, e := range curves {
		a, b := boxes[e.from], boxes[e.to]
		if a == nil || b == nil {
			continue
		}
		x1, y1 := a.x+a.w, a.y+a.h-10-float64(i%3)*6
		x2, y2 := b.x+b.w, b.y+10+float64(i%3)*6
		bulge := x1 + 50 + float64(i%3)*14
		edgeGroup(e)
		w(`<path class="edge" d="M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f"/>`+"\n", x1, y1, bulge, y1, bulge, y2, x2, y2)
		labelBlock(e.labels, bulge-8, (y1+y2)/2-float64(len(e.labels)-1)*svgLineH/2+4, "start")
		w("</g>\n")
	}

	// Boxes.
	for _, s := range column {
		b := boxes[s]
		w(`<g class="stage-box" data-stage="%s">`+"\n", esc(string(s)))
		w(`<rect class="stage" x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="8"/>`+"\n", b.x, b.y, b.w, b.h)
		w(`<text class="ttl" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", b.cx(), b.y+20, esc(string(s)))
		if len(b.loops) > 0 {
			w(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#9db5dd"/>`+"\n", b.x+8, b.y+svgTitleH, b.x+b.w-8, b.y+svgTitleH)
		}
		for i, t := range b.loops {
			w(`<text class="loop" x="%.1f" y="%.1f"><title>%s</title>↻ %s</text>`+"\n", b.x+svgPad, b.y+svgTitleH+14+float64(i)*svgLineH, esc(guardText(t)), esc(labelFor(t)))
		}
		w("</g>\n")
	}
	for _, s := range terminals {
		b := boxes[s]
		class := "final"
		if side[s] < 0 {
			class = "gone"
		}
		w(`<g class="stage-box" data-stage="%s">`+"\n", esc(string(s)))
		w(`<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="8"/>`+"\n", class, b.x, b.y, b.w, b.h)
		w(`<text class="ttl" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", b.cx(), b.cy()+5, esc(string(s)))
		w("</g>\n")
	}
	w(`<text class="legend" x="%.1f" y="%.1f">%s</text>`+"\n", svgMargin, legendY, esc(svgLegend))
	w("</svg>\n")
	return out.String()
}
