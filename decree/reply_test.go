package decree

import "testing"

func TestStripReplyPrefixes(t *testing.T) {
	cases := []struct {
		in, rest string
		found    bool
	}{
		{in: "Re: [QC] x", rest: "[QC] x", found: true},
		{in: "RE: x", rest: "x", found: true},
		{in: "re:x", rest: "x", found: true},
		{in: "Fwd: x", rest: "x", found: true},
		{in: "Fw: x", rest: "x", found: true},
		{in: "FW: x", rest: "x", found: true},
		{in: "AW: x", rest: "x", found: true},
		{in: "WG: x", rest: "x", found: true},
		{in: "SV: x", rest: "x", found: true},
		{in: "TR : x", rest: "x", found: true},
		{in: "Trả lời: x", rest: "x", found: true},
		{in: "TRẢ LỜI: x", rest: "x", found: true},
		{in: "Tra loi: x", rest: "x", found: true},
		{in: "Chuyển tiếp: x", rest: "x", found: true},
		{in: "Chuyen tiep: x", rest: "x", found: true},
		{in: "Re[2]: x", rest: "x", found: true},
		{in: "Re(3): x", rest: "x", found: true},
		{in: "Re：x", rest: "x", found: true},
		{in: "Re: Fwd: RE[2]:  Trả lời: [QC] x", rest: "[QC] x", found: true},
		{in: "Re:", rest: "", found: true},
		{in: "Re [QC] x", rest: "Re [QC] x"},
		{in: "Return policy: x", rest: "Return policy: x"},
		{in: "Trade: x", rest: "Trade: x"},
		{in: "Re[x]: y", rest: "Re[x]: y"},
		{in: "Re[2: y", rest: "Re[2: y"},
		{in: "[QC] Re: x", rest: "[QC] Re: x"},
		{in: "", rest: ""},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			rest, found := stripReplyPrefixes(tc.in)
			if rest != tc.rest || found != tc.found {
				t.Errorf("stripReplyPrefixes(%q) = %q %v, want %q %v", tc.in, rest, found, tc.rest, tc.found)
			}
		})
	}
}
