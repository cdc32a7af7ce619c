package dmarcfail_test

import (
	"bytes"
	"fmt"
	"time"

	"milter91/internal/arf"
	"milter91/internal/dmarcfail"
	"milter91/internal/mailmsg"
)

// A failure report for one message, its addresses redacted, read back
// with the ARF parser.
func ExampleReport_Message() {
	r := &dmarcfail.Report{
		From: "dmarc-noreply@mx.example.net", To: []string{"ruf@example.com"},
		ReportingMTA: "mx.example.net", UserAgent: "milter91", MailFrom: "ann@example.org", Domain: "example.com",
		AuthResults: "mx.example.net; dmarc=fail header.from=example.com", Delivery: "reject",
		Header: []mailmsg.Field{{Name: "From", Value: " Ann <ann@example.com>"}},
		Redact: true,
	}
	rep, err := arf.Parse(bytes.NewReader(r.Message(time.Now())))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.FeedbackType, rep.OriginalMailFrom, rep.HeaderValue("From"))
	// Output: auth-failure redacted@example.org Ann <redacted@example.com>
}
