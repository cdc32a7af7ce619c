package loadgen

import (
	gomilter "github.com/d--j/go-milter"
)

// acceptProtocol are the protocol options milter91 asks for (see
// milter/negotiate.go wantedProtocol): leading header spaces kept, no
// unknown commands, no replies except to body chunks and end of message.
// Asking for the same ones keeps the baseline's round trips equal to
// milter91's.
const acceptProtocol = gomilter.OptHeaderLeadingSpace | gomilter.OptNoUnknown |
	gomilter.OptNoConnReply | gomilter.OptNoHeloReply | gomilter.OptNoMailReply |
	gomilter.OptNoRcptReply | gomilter.OptNoDataReply | gomilter.OptNoUnknownReply |
	gomilter.OptNoHeaderReply | gomilter.OptNoEOHReply

// acceptMacros are the macros milter91 requests per stage (milter/negotiate.go
// macroRequests), so that the MTA side sends the same bytes to the baseline.
var acceptMacros = []struct {
	stage gomilter.MacroStage
	names []gomilter.MacroName
}{
	{stage: gomilter.StageConnect, names: []string{gomilter.MacroClientAddr, gomilter.MacroClientName,
		gomilter.MacroClientPort, gomilter.MacroDaemonName, gomilter.MacroMTAFQDN}},
	{stage: gomilter.StageHelo, names: []string{gomilter.MacroTlsVersion, gomilter.MacroCipher,
		gomilter.MacroCipherBits, gomilter.MacroCertSubject, gomilter.MacroCertIssuer}},
	{stage: gomilter.StageMail, names: []string{gomilter.MacroQueueId, gomilter.MacroAuthAuthen,
		gomilter.MacroAuthType, gomilter.MacroMailAddr}},
	{stage: gomilter.StageRcpt, names: []string{gomilter.MacroQueueId, gomilter.MacroRcptAddr}},
	{stage: gomilter.StageData, names: []string{gomilter.MacroQueueId}},
	{stage: gomilter.StageEOH, names: []string{gomilter.MacroQueueId}},
	{stage: gomilter.StageEOM, names: []string{gomilter.MacroQueueId}},
}

// NewAcceptServer returns a go-milter server that receives every event of
// every message, like milter91, and accepts each message at end of message
// without looking at it: the throughput baseline of the load generator.
// Serve it with Serve(listener); stop it with Shutdown or Close.
func NewAcceptServer() *gomilter.Server {
	opts := []gomilter.Option{
		gomilter.WithMilter(func() gomilter.Milter { return acceptMilter{} }),
		gomilter.WithProtocols(acceptProtocol),
	}
	for _, m := range acceptMacros {
		opts = append(opts, gomilter.WithMacroRequest(m.stage, m.names))
	}
	return gomilter.NewServer(opts...)
}

// acceptMilter continues at every event and accepts at end of message.
// NoOpMilter would answer skip to recipients, headers and body chunks if
// SMFIP_SKIP were negotiated; acceptProtocol does not ask for it.
type acceptMilter struct{ gomilter.NoOpMilter }
