package loadgen

import (
	gomilter "github.com/d--j/go-milter"

	"milter91/milter"
)

// NewAcceptServer returns a go-milter server that receives every event of
// every message, with milter91's protocol options and macro requests
// (milter.NegotiationOptions), and accepts each message at end of message
// without looking at it: the in-process peer of the load tool's tests.
// It runs on milter91's patched go-milter; the load test's yardstick is
// the ceiling module (internal/loadgen/ceiling), built on the upstream
// library. Serve it with Serve(listener); stop it with Shutdown or Close.
func NewAcceptServer() *gomilter.Server {
	opts := append(milter.NegotiationOptions(),
		gomilter.WithMilter(func() gomilter.Milter { return acceptMilter{} }))
	return gomilter.NewServer(opts...)
}

// acceptMilter continues at every event and accepts at end of message.
// NoOpMilter would answer skip to recipients, headers and body chunks if
// SMFIP_SKIP were negotiated; milter91's options do not ask for it.
type acceptMilter struct{ gomilter.NoOpMilter }
