package decree

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// mimeEdgeDir holds the malformed-MIME corpus (README.md and PROVENANCE.md there).
const mimeEdgeDir = "testdata/mime-edge"

// checkInvariants asserts what every analysis must satisfy, whatever the
// input.
func checkInvariants(t *testing.T, got txn.DecreeAnalysis) {
	t.Helper()
	labels := []string{txn.LabelOK, txn.LabelMissing, txn.LabelMisplaced, txn.LabelLegacy, txn.LabelNonstandard}
	if !slices.Contains(labels, got.Label) {
		t.Errorf("Label %q", got.Label)
	}
	if (got.Label == txn.LabelMissing) != (got.LabelText == "") {
		t.Errorf("Label %q with LabelText %q", got.Label, got.LabelText)
	}
	if hasLabelSignal := slices.Contains(got.Signals, SignalLabel); hasLabelSignal != (got.Label != txn.LabelMissing) {
		t.Errorf("label signal %v for Label %q", hasLabelSignal, got.Label)
	}
	// A label makes an ad, except in a reply or forward without a header
	// bulk signal.
	if got.Label != txn.LabelMissing && !got.Advertising && slices.ContainsFunc(got.Signals, isHeaderSignal) {
		t.Errorf("labelled message with signals %q not advertising", got.Signals)
	}
	if !got.OptOut && len(got.Channels) > 0 {
		t.Errorf("channels %q without an opt-out block", got.Channels)
	}
	if !slices.Equal(merge(all3, got.Channels, got.MissingChannels), all3) {
		t.Errorf("Channels %q + MissingChannels %q", got.Channels, got.MissingChannels)
	}
	if !slices.Equal(merge(allInfo, got.Info, got.MissingInfo), allInfo) {
		t.Errorf("Info %q + MissingInfo %q", got.Info, got.MissingInfo)
	}
	seen := map[string]bool{}
	for _, m := range got.RefusalMailboxes {
		if m != strings.ToLower(m) || !strings.Contains(m, "@") || seen[m] {
			t.Errorf("RefusalMailboxes %q", got.RefusalMailboxes)
		}
		seen[m] = true
	}
}

// merge returns the items of all that are in a or b, in the order of all,
// and nil if a and b overlap or hold anything else.
func merge(all, a, b []string) []string {
	if len(a)+len(b) != len(all) {
		return nil
	}
	var out []string
	for _, x := range all {
		if slices.Contains(a, x) != slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// TestMIMEEdgeNoPanic analyses every file of the corpus.
func TestMIMEEdgeNoPanic(t *testing.T) {
	a := newDefault(t)
	n := 0
	err := filepath.WalkDir(mimeEdgeDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".md") {
			return err
		}
		n++
		t.Run(strings.TrimPrefix(path, mimeEdgeDir+"/"), func(t *testing.T) {
			tr := loadFixture(t, path)
			checkInvariants(t, a.Analyze(tr, nil, fromDomain(tr)))
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("only %d corpus files under %s", n, mimeEdgeDir)
	}
}

// TestMIMEEdgeCases pins what a few corpus messages must give.
func TestMIMEEdgeCases(t *testing.T) {
	cases := []struct {
		file, subject, label string
	}{
		{file: "enmime/mail__qp-utf8-header.raw", subject: "MIME UTF8 Test ¢ More Text", label: txn.LabelMissing},
		{file: "rspamd/bad_message.eml", subject: "Скидки до 36 процентов на насосы!", label: txn.LabelMissing},
		{file: "spamassassin/nice__unicode2.eml", subject: "【重要訊息】台電105年", label: txn.LabelMissing},
		{file: "mimekit/messages__stack-overflow.txt", subject: "Message Subject", label: txn.LabelMissing},
		{file: "enmime/mail__multipart-wo-boundary.raw", subject: "Delivery Status Notification (Failure)", label: txn.LabelMissing},
	}
	a := newDefault(t)
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(mimeEdgeDir, tc.file)
			if _, err := os.Stat(path); err != nil {
				t.Fatal(err)
			}
			tr := loadFixture(t, path)
			if got := subject(mailmsg.NewView(tr.Headers)); !strings.HasPrefix(got, tc.subject) {
				t.Errorf("subject %q, want prefix %q", got, tc.subject)
			}
			got := a.Analyze(tr, nil, fromDomain(tr))
			if got.Label != tc.label || got.Advertising {
				t.Errorf("Label %q Advertising %v", got.Label, got.Advertising)
			}
			checkInvariants(t, got)
		})
	}
}

// isHeaderSignal reports whether sig comes from the header block.
func isHeaderSignal(sig string) bool {
	return sig != SignalLabel && sig != SignalOptOutBlock && !strings.HasPrefix(sig, SignalPhrasePrefix)
}
