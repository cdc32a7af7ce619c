package bayeseval

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"milter91/decree"
	"milter91/internal/bayes"
	"milter91/internal/counter"
	"milter91/internal/mailbox"
	"milter91/internal/txn"
)

func TestExplore(t *testing.T) {
	dir := os.Getenv("EXPLORE")
	if dir == "" {
		t.Skip()
	}
	ctx := context.Background()
	samples, _, err := Load(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	store := counter.NewMem(nil)
	c, _ := bayes.New(store, bayes.Options{})
	names := strings.Fields(os.Getenv("EXPLORE_FILES"))
	for _, s := range samples {
		skip := false
		for _, n := range names {
			if strings.Contains(s.Source, n) {
				skip = true
			}
		}
		if !skip {
			c.Learn(ctx, s.Features, class(s.Spam), bayes.Site)
		}
	}
	for _, name := range names {
		mailbox.Walk(filepath.Join(dir, name), nil, 1<<26, func(m mailbox.Message) error {
			h, b, _ := txn.ReadMessage(bytes.NewReader(m.Data), 0, "")
			tr := &txn.Transaction{Headers: h, Body: b}
			f := bayes.ExtractNames(h, decree.ReadBody(ctx, tr, 0, bayes.MaxTextBytes))
			res, clues, _ := c.Explain(ctx, f)
			fmt.Printf("== %s features %d: %+v\n", name, f.Len(), res)
			for _, k := range clues[:min(40, len(clues))] {
				fmt.Printf("  %-40q %.4f s=%d h=%d\n", k.Token, k.Probability, k.Spam, k.Ham)
			}
			return nil
		})
	}
}
