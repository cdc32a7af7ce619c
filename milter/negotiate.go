package milter

import (
	"fmt"
	"strings"

	gomilter "github.com/d--j/go-milter"
)

// requiredActions are the modifications milter91 may send: add and insert
// headers, change/delete headers, quarantine (Postfix hold) and delete
// recipients. Postfix offers all of them; an MTA that does not is refused.
const requiredActions = gomilter.OptAddHeader | gomilter.OptChangeHeader |
	gomilter.OptQuarantine | gomilter.OptRemoveRcpt

// wantedProtocol are the protocol options requested when the MTA offers
// them: byte-exact header values (SMFIP_HDR_LEADSPC), no SMTP-unknown events,
// and no replies for the stages where milter91 never decides. RCPT keeps
// its reply when the evaluator may reject early (Server.negotiate), and
// body chunks keep theirs (a spool failure or MaxMessageSize answers
// there).
const wantedProtocol = gomilter.OptHeaderLeadingSpace | gomilter.OptNoUnknown |
	gomilter.OptNoConnReply | gomilter.OptNoHeloReply | gomilter.OptNoMailReply |
	gomilter.OptNoDataReply | gomilter.OptNoUnknownReply |
	gomilter.OptNoHeaderReply | gomilter.OptNoEOHReply

// protocolVersion is the milter protocol version milter91 speaks (Postfix
// milter_protocol = 6, the default since Postfix 2.6).
const protocolVersion = 6

// negotiate is the go-milter negotiation callback: version 6, the required
// actions (plus SMFIF_SETSYMLIST so the macro requests below reach the MTA),
// and the wanted protocol options the MTA offers, with SMFIP_NR_RCPT when
// the current evaluator cannot reject early. A missing action or an older
// protocol version is an error; go-milter then closes the connection and
// the MTA applies its default action (Postfix milter_default_action).
func (s *Server) negotiate(mtaVersion, _ uint32, mtaActions, _ gomilter.OptAction, mtaProtocol, _ gomilter.OptProtocol, offered gomilter.DataSize) (uint32, gomilter.OptAction, gomilter.OptProtocol, gomilter.DataSize, error) {
	if mtaVersion < protocolVersion {
		return 0, 0, 0, 0, fmt.Errorf("milter91: MTA offers milter protocol version %d, need %d (Postfix: milter_protocol = 6)", mtaVersion, protocolVersion)
	}
	if missing := requiredActions &^ mtaActions; missing != 0 {
		return 0, 0, 0, 0, fmt.Errorf("milter91: MTA does not offer the actions %v", missing)
	}
	actions := requiredActions | mtaActions&gomilter.OptSetMacros
	protocol := wantedProtocol
	if ev := s.evaluator(); ev == nil || !ev.RejectsEarly() {
		protocol |= gomilter.OptNoRcptReply
	}
	return protocolVersion, actions, protocol & mtaProtocol, offered, nil
}

// macroRequest lists the macros asked for at one stage (SMFIR_SETSYMLIST).
// Postfix sends exactly these instead of its milter_*_macros defaults.
type macroRequest struct {
	stage gomilter.MacroStage
	names []gomilter.MacroName
}

// macroRequests: connection data at connect, TLS data at HELO (Postfix's
// default HELO list), the queue ID i at every stage from MAIL on because
// Postfix assigns it late (after the first accepted RCPT), and SASL data at
// MAIL.
var macroRequests = []macroRequest{
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

// connMacroNames are kept for the whole SMTP session, msgMacroNames for one
// message.
var (
	connMacroNames = stageNames(gomilter.StageConnect, gomilter.StageHelo)
	msgMacroNames  = stageNames(gomilter.StageMail, gomilter.StageRcpt, gomilter.StageData, gomilter.StageEOH, gomilter.StageEOM)
)

func stageNames(stages ...gomilter.MacroStage) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range macroRequests {
		for _, st := range stages {
			if r.stage != st {
				continue
			}
			for _, n := range r.names {
				if !seen[n] {
					seen[n] = true
					out = append(out, n)
				}
			}
		}
	}
	return out
}

// collectMacros copies the macros in names that the MTA sent into dst, keyed
// by name without braces ("{client_addr}" → "client_addr").
func collectMacros(m gomilter.Macros, names []string, dst map[string]string) {
	for _, n := range names {
		if v, ok := m.GetEx(n); ok {
			dst[strings.TrimSuffix(strings.TrimPrefix(n, "{"), "}")] = v
		}
	}
}
