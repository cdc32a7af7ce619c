package milter

import (
	"testing"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/txn"
)

func TestNegotiation(t *testing.T) {
	addr, _, _ := startServer(t, Options{FailMode: txn.ActionTempfail}, &fakeEval{})
	allActions := gomilter.AllClientSupportedActionMasks
	tests := []struct {
		name    string
		opts    []gomilter.Option
		wantErr bool
		want    map[gomilter.OptProtocol]bool
	}{
		{name: "Postfix-like MTA", want: map[gomilter.OptProtocol]bool{
			gomilter.OptHeaderLeadingSpace: true, gomilter.OptNoHeaderReply: true, gomilter.OptNoConnReply: true,
			gomilter.OptNoUnknown: true, gomilter.OptNoBodyReply: false, gomilter.OptSkip: false,
			gomilter.OptNoBody: false, gomilter.OptNoHeaders: false, gomilter.OptRcptRej: false}},
		{name: "MTA without LEADSPC", opts: []gomilter.Option{gomilter.WithProtocols(gomilter.OptNoUnknown)},
			want: map[gomilter.OptProtocol]bool{gomilter.OptHeaderLeadingSpace: false, gomilter.OptNoUnknown: true, gomilter.OptNoHeaderReply: false}},
		{name: "protocol version 4", opts: []gomilter.Option{gomilter.WithMaximumVersion(4), gomilter.WithProtocols(gomilter.OptNoUnknown)}, wantErr: true},
		{name: "no quarantine action", opts: []gomilter.Option{gomilter.WithActions(allActions &^ gomilter.OptQuarantine)}, wantErr: true},
		{name: "no delete-recipient action", opts: []gomilter.Option{gomilter.WithActions(allActions &^ gomilter.OptRemoveRcpt)}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := gomilter.NewClient("tcp", addr, tc.opts...).Session(nil)
			if tc.wantErr {
				if err == nil {
					s.Close()
					t.Fatal("negotiation succeeded, want the milter to refuse")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for opt, want := range tc.want {
				if got := s.ProtocolOption(opt); got != want {
					t.Errorf("protocol option %v = %v, want %v", opt, got, want)
				}
			}
			for _, a := range []gomilter.OptAction{gomilter.OptAddHeader, gomilter.OptChangeHeader, gomilter.OptQuarantine, gomilter.OptRemoveRcpt} {
				if !s.ActionOption(a) {
					t.Errorf("action %v not negotiated", a)
				}
			}
			for _, a := range []gomilter.OptAction{gomilter.OptChangeBody, gomilter.OptChangeFrom, gomilter.OptAddRcpt} {
				if s.ActionOption(a) {
					t.Errorf("action %v negotiated, milter91 never uses it", a)
				}
			}
		})
	}
}
