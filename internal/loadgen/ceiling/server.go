package main

import milter "github.com/d--j/go-milter"

// protocol is milter91's negotiation for a configuration without early
// rejects (its milter.NegotiationOptions): byte-exact header values, no
// SMTP-unknown events, and no replies for connect, HELO, MAIL, RCPT, DATA,
// unknown commands, header fields and end of header. Body chunks keep
// their replies.
const protocol = milter.OptHeaderLeadingSpace | milter.OptNoUnknown |
	milter.OptNoConnReply | milter.OptNoHeloReply | milter.OptNoMailReply |
	milter.OptNoRcptReply | milter.OptNoDataReply | milter.OptNoUnknownReply |
	milter.OptNoHeaderReply | milter.OptNoEOHReply

// macroRequests are milter91's (SMFIR_SETSYMLIST per stage), so the MTA
// sends both milters the same macros.
var macroRequests = []struct {
	stage milter.MacroStage
	names []milter.MacroName
}{
	{milter.StageConnect, []milter.MacroName{milter.MacroClientAddr, milter.MacroClientName,
		milter.MacroClientPort, milter.MacroDaemonName, milter.MacroMTAFQDN}},
	{milter.StageHelo, []milter.MacroName{milter.MacroTlsVersion, milter.MacroCipher,
		milter.MacroCipherBits, milter.MacroCertSubject, milter.MacroCertIssuer}},
	{milter.StageMail, []milter.MacroName{milter.MacroQueueId, milter.MacroAuthAuthen,
		milter.MacroAuthType, milter.MacroMailAddr}},
	{milter.StageRcpt, []milter.MacroName{milter.MacroQueueId, milter.MacroRcptAddr}},
	{milter.StageData, []milter.MacroName{milter.MacroQueueId}},
	{milter.StageEOH, []milter.MacroName{milter.MacroQueueId}},
	{milter.StageEOM, []milter.MacroName{milter.MacroQueueId}},
}

// newServer returns the accept-everything go-milter server.
func newServer() *milter.Server {
	opts := []milter.Option{milter.WithProtocols(protocol),
		milter.WithMilter(func() milter.Milter { return acceptMilter{} })}
	for _, r := range macroRequests {
		opts = append(opts, milter.WithMacroRequest(r.stage, r.names))
	}
	return milter.NewServer(opts...)
}

// acceptMilter continues at every event and accepts at end of message
// (NoOpMilter's answers; SMFIP_SKIP is not negotiated, so every header
// field and body chunk reaches it).
type acceptMilter struct{ milter.NoOpMilter }
