package resolver

import (
	"testing"

	"github.com/miekg/dns"
)

func TestAnswersQuery(t *testing.T) {
	q := func(name string, qtype uint16) dns.Question {
		return dns.Question{Name: name, Qtype: qtype, Qclass: dns.ClassINET}
	}
	tests := []struct {
		name      string
		questions []dns.Question
		rcode     int
		want      bool
	}{
		{name: "same question", questions: []dns.Question{q("a.example.test.", dns.TypeA)}, want: true},
		{name: "case differs (0x20)", questions: []dns.Question{q("A.Example.TEST.", dns.TypeA)}, want: true},
		{name: "other type", questions: []dns.Question{q("a.example.test.", dns.TypeAAAA)}},
		{name: "other name", questions: []dns.Question{q("b.example.test.", dns.TypeA)}},
		{name: "two questions", questions: []dns.Question{q("a.example.test.", dns.TypeA), q("a.example.test.", dns.TypeA)}},
		{name: "bare REFUSED", rcode: dns.RcodeRefused, want: true},
		{name: "bare SERVFAIL", rcode: dns.RcodeServerFailure, want: true},
		{name: "bare NOERROR", rcode: dns.RcodeSuccess},
		{name: "bare NXDOMAIN", rcode: dns.RcodeNameError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := &dns.Msg{Question: tc.questions}
			resp.Rcode = tc.rcode
			if got := answersQuery(resp, "a.example.test.", dns.TypeA); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
