package txn

// Bayes results (the rule fact bayes).
const (
	BayesSpam   = "spam"
	BayesHam    = "ham"
	BayesUnsure = "unsure"
	// BayesNone: the classifier has not learned enough of each class yet
	// (bayes.min_learned) and does not vote.
	BayesNone = "none"
	// BayesTemperror: its counter store failed; the message is judged
	// without it.
	BayesTemperror = "temperror"
)

// Bayes is the content classifier's verdict on one message.
type Bayes struct {
	// Result is BayesSpam, BayesHam, BayesUnsure, BayesNone or
	// BayesTemperror; "" when the classifier is off.
	Result string `json:"result"`
	// Probability is the combined spam probability, 0 to 1; 0.5 without a
	// vote.
	Probability float64 `json:"probability"`
	// Scope names the counts that decided: "site" or "recipient ADDRESS".
	Scope string `json:"scope,omitempty"`
}
