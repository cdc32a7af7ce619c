package txn

import "time"

// Answer is what the milter adapter answered the MTA for one message, or
// for one SMTP client refused at RCPT before DATA: the envelope, the
// evaluator's outcome and the decision actually sent (after the fail mode
// and the limits), with the header block as delivered. It is all the
// archive, the metrics and any other follower of decisions get; they
// build their own records from it. Slices and maps are shared with the
// milter connection: read them during the call, copy what you keep.
type Answer struct {
	// Time is when the answer was sent (UTC).
	Time time.Time
	// Conn is the SMTP client: address, HELO, listener, connection macros.
	Conn Conn
	// QueueID is the MTA's queue ID (macro i), "" when unknown.
	QueueID string
	// MailFrom is the envelope sender without angle brackets, "" for <>.
	MailFrom string
	// Rcpts are the recipients accepted; at RCPT the one refused.
	Rcpts []string
	// AuthUser is the SASL login ({auth_authen}), "" when none.
	AuthUser string
	// Stage is StageRCPT for a client refused at RCPT (no header block,
	// no outcome); "" for a message answered at or before its end.
	Stage string
	// Size is the message in bytes as far as received: the header block,
	// the empty line and the body; 0 at RCPT.
	Size int64
	// Outcome is the evaluator's, nil when none ran (a limit, the fail
	// mode before end of message, a refusal at RCPT) or it gave none.
	Outcome *Outcome

	// Action is what the MTA was told, after the fail mode.
	Action Action
	// Reply is the SMTP reply of a tempfail or reject, sanitized as sent.
	Reply Reply
	// Quarantine is the hold reason sent with a quarantine; "" when Junk.
	Quarantine string
	// Junk is set for a quarantine delivered with the Junk header fields
	// instead of held (Action is ActionQuarantine, the MTA was told to
	// accept).
	Junk bool
	// Discarded is true when the MTA was told to accept and drop the
	// message (Outcome.Discard).
	Discarded bool
	// Fault is the kind of internal fault that made the fail mode answer
	// ("error", "panic", "deadline", "spool", "evaluator", "outcome",
	// "sign"), "" for none; FaultErr is its error.
	Fault    string
	FaultErr error
	// Signed is the domain a DKIM signature was added for, "" for none.
	Signed string
	// Limit names the limit the message was rejected for
	// ("message_size", "header_bytes", "header_fields"), "" for none.
	Limit string
	// Headers is the header block as delivered: the received fields with
	// the header edits sent applied, as received for a refused message;
	// nil at RCPT.
	Headers []Header
	// Elapsed is the time from end of message (or the event that
	// decided) to the answer; 0 at RCPT.
	Elapsed time.Duration
	// SendErr is the milter connection's failure while answering, nil
	// when the answer went out.
	SendErr error
}

// StageRCPT is Answer.Stage of a client refused at RCPT.
const StageRCPT = "rcpt"
