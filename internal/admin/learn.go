package admin

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"milter91/internal/bayes"
	"milter91/internal/mailmsg"
)

// maxMessageBody bounds a message sent to POST /v1/learn: above the
// message_size_limit of most MTAs (Postfix: 10 MB by default).
const maxMessageBody = 32 << 20

// ErrLearnerOff is returned, wrapped, by a Learner while the classifier is
// off (a reload turned it off); it is answered 404 "not configured".
var ErrLearnerOff = errors.New("the content classifier is not configured")

// Learner learns messages for the content classifier: *bayes.Classifier.
type Learner interface {
	LearnMessage(ctx context.Context, r io.Reader, class bayes.Class, scopes ...bayes.Scope) (int, []bayes.LearnReport, error)
}

var _ Learner = (*bayes.Classifier)(nil)

// LearnAnswer is the answer of POST /v1/learn.
type LearnAnswer struct {
	Class    string         `json:"class"`
	Features int            `json:"features"`
	Scopes   []LearnedScope `json:"scopes"`
}

// LearnedScope is what was learned in one scope.
type LearnedScope struct {
	Scope       string `json:"scope"`
	Outcome     string `json:"outcome"`
	SpamLearned int64  `json:"spam_learned"`
	HamLearned  int64  `json:"ham_learned"`
}

// postLearn learns the message in the body (message/rfc822) as
// class=spam|ham, site-wide and, with recipient=ADDR, in that recipient's
// counts too.
func (a *api) postLearn(w http.ResponseWriter, r *http.Request) {
	args, err := queryArgs(r, "class", "recipient")
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	class, err := bayes.ParseClass(args["class"])
	if err != nil {
		writeError(w, http.StatusBadRequest, "class: want spam or ham")
		return
	}
	scopes := []bayes.Scope{bayes.Site}
	if rcpt, ok := args["recipient"]; ok {
		// One envelope address, as the engine names the recipient whose
		// counts judge a message: a display name or a list would learn
		// in counts nothing reads.
		rcpt = strings.TrimSuffix(strings.TrimPrefix(rcpt, "<"), ">")
		list, err := mailmsg.ParseAddressList(rcpt)
		if err != nil || len(list) != 1 || list[0].Addr != rcpt {
			writeError(w, http.StatusBadRequest, "recipient: not one address (want local@domain)")
			return
		}
		scopes = append(scopes, bayes.Recipient(rcpt))
	}
	if !limitBody(w, r, "message/rfc822", maxMessageBody) {
		return
	}
	n, reports, err := a.learner.LearnMessage(r.Context(), r.Body, class, scopes...)
	switch {
	case err == nil:
	case tooLarge(w, err):
		return
	case errors.Is(err, ErrLearnerOff):
		writeError(w, http.StatusNotFound, ErrLearnerOff.Error())
		return
	case errors.Is(err, bayes.ErrFull):
		writeError(w, http.StatusTooManyRequests, err.Error())
		return
	default:
		a.storeError(w, r, "learn", err)
		return
	}
	out := LearnAnswer{Class: args["class"], Features: n}
	for _, rep := range reports {
		out.Scopes = append(out.Scopes, LearnedScope{Scope: rep.Scope.String(), Outcome: rep.Outcome.String(),
			SpamLearned: rep.SpamLearned, HamLearned: rep.HamLearned})
	}
	writeJSON(w, http.StatusOK, out)
}
