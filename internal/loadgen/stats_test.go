package loadgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// ms returns n milliseconds.
func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = ms(i + 1)
	}
	ten := hundred[:10]
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{name: "empty", sorted: nil, p: 50, want: 0},
		{name: "one value", sorted: []time.Duration{ms(7)}, p: 99, want: ms(7)},
		{name: "p50 of 1..100", sorted: hundred, p: 50, want: ms(50)},
		{name: "p90 of 1..100", sorted: hundred, p: 90, want: ms(90)},
		{name: "p99 of 1..100", sorted: hundred, p: 99, want: ms(99)},
		{name: "max of 1..100", sorted: hundred, p: 100, want: ms(100)},
		{name: "p99 of 1..10 is the largest", sorted: ten, p: 99, want: ms(10)},
		{name: "p50 of 1..10 (nearest rank)", sorted: ten, p: 50, want: ms(5)},
		{name: "p51 of 1..10 rounds up", sorted: ten, p: 51, want: ms(6)},
		{name: "p0 clamps to the smallest", sorted: ten, p: 0, want: ms(1)},
		{name: "p150 clamps to the largest", sorted: ten, p: 150, want: ms(10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.sorted, tc.p); got != tc.want {
				t.Fatalf("percentile(p%v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

func TestPercentilesSortsAndConverts(t *testing.T) {
	got := percentiles([]time.Duration{ms(30), ms(10), time.Millisecond / 2, ms(20)})
	want := Percentiles{P50: 10, P90: 30, P99: 30, Max: 30}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

// TestSummarizeCountsAddUp merges two workers' outcomes.
func TestSummarizeCountsAddUp(t *testing.T) {
	a, b := newTally(), newTally()
	a.sessions, b.sessions = 2, 1
	a.add(outcome{action: "accept", mods: []string{"insert_header"}, eom: ms(1), total: ms(3)})
	a.add(outcome{action: "reject"}) // decided before end of message: no latency
	b.add(outcome{action: "accept", mods: []string{"insert_header", "add_header"}, eom: ms(2), total: ms(4)})
	b.add(outcome{errStage: "eom", err: errors.New("broken pipe")})
	b.abandoned = 1
	res := summarize([]*tally{a, b}, 2*time.Second)
	if res.Messages != 3 || res.Sessions != 3 || res.Abandoned != 1 || res.ErrorCount() != 1 {
		t.Fatalf("messages %d sessions %d abandoned %d errors %d, want 3 3 1 1", res.Messages, res.Sessions, res.Abandoned, res.ErrorCount())
	}
	if res.Actions["accept"] != 2 || res.Actions["reject"] != 1 || res.Modifications["insert_header"] != 2 || res.Modifications["add_header"] != 1 {
		t.Fatalf("actions %v modifications %v", res.Actions, res.Modifications)
	}
	if res.Rate != 1.5 || res.EOM.Max != 2 || res.Message.P50 != 3 {
		t.Fatalf("rate %v EOM %+v message %+v", res.Rate, res.EOM, res.Message)
	}
	if res.ErrorSample != "eom: broken pipe" {
		t.Fatalf("error sample %q", res.ErrorSample)
	}
}

func TestReports(t *testing.T) {
	res := &Result{
		Target: "tcp:127.0.0.1:9", Connections: 2, PerConn: 5, ElapsedSeconds: 2, Messages: 4, Rate: 2, Sessions: 1,
		Actions: map[string]int{"accept": 3, "reject": 1}, Modifications: map[string]int{}, Errors: map[string]int{"eom": 1},
		Daemon: &DaemonStats{PID: 42, CPUSeconds: 0.5, CPUPerMessageMs: 125, PeakRSSBytes: 3 << 20, HWMBytes: 4 << 20, Samples: 20},
	}
	var text bytes.Buffer
	if err := WriteText(&text, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"4 (2.0/s) in 1 sessions", "accept 3, reject 1", "errors ", "1 eom 1", "125.000 ms (0.50 s CPU, pid 42)", "3.0 MiB sampled", "VmHWM 4.0 MiB"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, res); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	daemon, _ := back["daemon"].(map[string]any)
	if back["messages_per_second"] != 2.0 || daemon["cpu_per_message_ms"] != 125.0 {
		t.Fatalf("JSON report %s", js.String())
	}
}
