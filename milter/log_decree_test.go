package milter

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"milter91/internal/txn"
)

// The summary line of an advertising email names the grade and its
// evidence for and against (Decree 91/2020 Art. 3.1).
func TestOutcomeAttrsDecreeGrade(t *testing.T) {
	out := &txn.Outcome{Facts: txn.Facts{Decree: txn.Decree{Direction: txn.DirectionOutbound,
		DecreeAnalysis: txn.DecreeAnalysis{Advertising: true, Grade: txn.GradeLikely, Label: txn.LabelMissing,
			Evidence: []string{"launch:introducing", "preorder:pre-order"}, Against: []string{"personal"}}}}}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).LogAttrs(context.Background(), slog.LevelInfo, "x", outcomeAttrs(out)...)
	for _, want := range []string{"decree91.grade=likely", `decree91.evidence="[launch:introducing preorder:pre-order]"`,
		"decree91.against=[personal]"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log line %q lacks %q", buf.String(), want)
		}
	}
}
