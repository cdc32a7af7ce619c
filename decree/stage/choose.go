package stage

import "milter91/internal/txn"

// Choose picks the verdict of a message the rules judged once per
// recipient (verdicts[i] for rcpts[i], at least one): the most severe,
// unless RemoveFailing is set (decree.multi_recipient: remove_failing)
// and some recipients pass: then the failing ones are removed (returned,
// and logged) and the most severe passing verdict decides.
func (s *Stage) Choose(queueID string, rcpts []txn.DecreeRecipient, verdicts []txn.Verdict) (txn.Verdict, map[string]bool) {
	worst, worstPass := -1, -1
	for i, v := range verdicts {
		if worst < 0 || severer(v, verdicts[worst]) {
			worst = i
		}
		if v.Action <= txn.ActionQuarantine && (worstPass < 0 || severer(v, verdicts[worstPass])) {
			worstPass = i
		}
	}
	if !s.opt.RemoveFailing || worstPass < 0 || worst == worstPass {
		return verdicts[worst], nil
	}
	removed := map[string]bool{}
	for i, v := range verdicts {
		if v.Action > txn.ActionQuarantine {
			removed[rcpts[i].Rcpt] = true
			s.opt.Logger.Info("recipient removed", "queue_id", queueID, "rcpt", rcpts[i].Rcpt,
				"action", v.Action.String(), "rules", v.RuleIDs(), "reply", v.Reply.String())
		}
	}
	return verdicts[worstPass], removed
}

// severer orders verdicts by action, then score.
func severer(a, b txn.Verdict) bool {
	if a.Action != b.Action {
		return a.Action > b.Action
	}
	return a.Score > b.Score
}
