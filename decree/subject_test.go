package decree

import "testing"

// TestSubjectTolerantDecoding: the two reported Subjects get their label.
func TestSubjectTolerantDecoding(t *testing.T) {
	a := newDefault(t)
	for _, raw := range []string{
		"=?UTF-8?Q?=5BQC=5D?= =?bogus?Q?x?= sale",
		"=?UTF-8?B?W1FDXQ?= Khuyến mãi",
	} {
		got := a.Analyze(msg(t, []string{"Subject: " + raw}, "Xin chào."), nil, "example.com")
		if got.Label != "ok" || got.LabelText != "[QC]" {
			t.Errorf("%q: label %q %q, want ok [QC]", raw, got.Label, got.LabelText)
		}
	}
}
