package bayeseval

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"time"

	"milter91/internal/bayes"
	"milter91/internal/mailbox"
)

// Load reads the labelled messages under dir with tk: dir/spam and
// dir/ham, each anything mailbox.Walk reads (a directory of files, a
// maildir, an mbox). Messages that cannot be read are returned as errors,
// and skipped.
func Load(ctx context.Context, dir string, tk bayes.Tokenizer) ([]Sample, []error, error) {
	var samples []Sample
	var skipped []error
	for _, label := range []string{"spam", "ham"} {
		err := mailbox.Walk(filepath.Join(dir, label), nil, mailbox.DefaultMaxMessage, func(m mailbox.Message) error {
			if m.Err != nil {
				skipped = append(skipped, fmt.Errorf("%s: %w", m.Source, m.Err))
				return nil
			}
			start := time.Now()
			f, err := tk.ReadMessage(ctx, bytes.NewReader(m.Data))
			took := time.Since(start)
			if err != nil {
				skipped = append(skipped, fmt.Errorf("%s: %w", m.Source, err))
				return nil
			}
			samples = append(samples, Sample{Source: m.Source, Spam: label == "spam", Features: f, Tokenize: took})
			return ctx.Err()
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return samples, skipped, nil
}
