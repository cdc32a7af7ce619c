package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"milter91/config"
	"milter91/internal/counter"
)

// bayes.store names a shared counter store (here a SQLite file next to
// the config): what the classifier learned is still there when the daemon
// opens the store again, where the memory store forgot it at every
// restart.
func TestBayesStoreSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "milter91.yml")
	if err := os.WriteFile(path, []byte("bayes: {enabled: true, store: bayes.db, max_rows: 1000}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "bayes.db"); cfg.Bayes.Store != want {
		t.Fatalf("bayes.store %q, want %q (beside the config)", cfg.Bayes.Store, want)
	}
	d := &daemon{logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx := context.Background()
	inc := []counter.Inc{{Key: "t:khuyen", Delta: 3, TTL: 24 * time.Hour}}
	for want := int64(3); want <= 6; want += 3 {
		s, err := d.openBayesStore(cfg.Bayes)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Add(ctx, inc)
		if cerr := s.Close(); err != nil || cerr != nil || got[0] != want {
			t.Fatalf("Add = %v, %v (close %v); want [%d]", got, err, cerr, want)
		}
	}
	if _, err := config.Parse(path, []byte("bayes: {store: \"\"}\n")); err == nil {
		t.Error("an empty bayes.store was accepted")
	}
}
