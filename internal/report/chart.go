package report

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
)

// Chart geometry, in SVG user units (the page scales the viewBox to its
// width).
const (
	chartWidth   = 900
	chartHeight  = 320
	plotLeft     = 64
	plotRight    = 12
	plotTop      = 16
	plotBottom   = 52
	chartYTicks  = 4
	chartXLabels = 8
)

// actionColors are the chart's colors of the five actions; other actions are
// grey.
var actionColors = map[string]string{
	"accept": "#43a047", "tag": "#fbc02d", "quarantine": "#fb8c00",
	"tempfail": "#1e88e5", "reject": "#e53935",
}

const otherColor = "#9e9e9e"

// chart is a stacked bar chart of the daily messages by action, with every
// coordinate computed here so that the template only prints them.
type chart struct {
	Width, Height          int
	Left, Top, Right, Base float64
	// XTitleX, XTitleY and YTitleX, YTitleY place the axis titles.
	XTitleX, XTitleY, YTitleX, YTitleY float64
	Bars                               []bar
	YTicks, XTicks                     []tick
	Legend                             []legendItem
}

// bar is one day's group of stacked segments, with its tooltip.
type bar struct {
	Title string
	Segs  []seg
}

type seg struct {
	X, Y, W, H float64
	Color      string
}

type tick struct {
	X, Y  float64
	Label string
}

type legendItem struct {
	Label, Color string
}

// newChart lays out days (each with the actions of Totals.ByAction) as
// stacked bars; nil when there is no mail to draw.
func newChart(days []Day, actions []Item) *chart {
	var peak int64
	for _, d := range days {
		peak = max(peak, d.Total)
	}
	if peak == 0 {
		return nil
	}
	step := niceStep(peak, chartYTicks)
	steps := (peak + step - 1) / step
	c := &chart{
		Width: chartWidth, Height: chartHeight,
		Left: plotLeft, Top: plotTop, Right: chartWidth - plotRight, Base: chartHeight - plotBottom,
	}
	c.XTitleX, c.XTitleY = (c.Left+c.Right)/2, chartHeight-8
	c.YTitleX, c.YTitleY = 16, (c.Top+c.Base)/2
	yOf := func(v float64) float64 {
		return round1(c.Base - v/(float64(steps)*float64(step))*(c.Base-c.Top))
	}
	for k := int64(0); k <= steps; k++ {
		c.YTicks = append(c.YTicks, tick{X: c.Left - 6, Y: yOf(float64(k * step)), Label: humanize.Comma(k * step)})
	}
	slot := (c.Right - c.Left) / float64(len(days))
	every := (len(days) + chartXLabels - 1) / chartXLabels
	for i, d := range days {
		x := c.Left + float64(i)*slot
		c.Bars = append(c.Bars, dayBar(d, x, slot, yOf))
		if i%every == 0 {
			c.XTicks = append(c.XTicks, tick{X: round1(x + slot/2), Y: c.Base + 18, Label: d.Day.Format(time.DateOnly)})
		}
	}
	for _, a := range actions {
		c.Legend = append(c.Legend, legendItem{Label: a.Key, Color: actionColor(a.Key)})
	}
	return c
}

// dayBar stacks d's actions from the axis up, skipping zeros, in a bar of
// slot width at x (80% of the slot: a gap between days).
func dayBar(d Day, x, slot float64, yOf func(float64) float64) bar {
	b := bar{Title: dayTitle(d)}
	var below int64
	for _, a := range d.ByAction {
		if a.N == 0 {
			continue
		}
		top, bottom := yOf(float64(below+a.N)), yOf(float64(below))
		b.Segs = append(b.Segs, seg{
			X: round1(x + slot*0.1), W: round1(max(slot*0.8, 0.5)),
			Y: top, H: round1(bottom - top), Color: actionColor(a.Key),
		})
		below += a.N
	}
	return b
}

// dayTitle is a bar's tooltip: "2025-01-02: 12 messages (accept 10, reject 2)".
func dayTitle(d Day) string {
	var parts []string
	for _, a := range d.ByAction {
		if a.N > 0 {
			parts = append(parts, a.Key+" "+humanize.Comma(a.N))
		}
	}
	s := fmt.Sprintf("%s: %s messages", d.Day.Format(time.DateOnly), humanize.Comma(d.Total))
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

func actionColor(action string) string {
	if c, ok := actionColors[action]; ok {
		return c
	}
	return otherColor
}

// niceStep is the smallest 1, 2 or 5 × 10^k at least peak/ticks (peak > 0),
// so that the y axis has at most ticks steps of round numbers.
func niceStep(peak, ticks int64) int64 {
	need := (peak + ticks - 1) / ticks
	mag := int64(1)
	for {
		for _, m := range []int64{1, 2, 5} {
			if m*mag >= need {
				return m * mag
			}
		}
		if mag > math.MaxInt64/100 {
			return need
		}
		mag *= 10
	}
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
