package counterstore

import (
	"testing"
)

// The isolation level of the DSN reaches the store's transactions, so the
// contract suite's PostgreSQL backends run at the level they name.
func TestPostgresIsolationFromDSN(t *testing.T) {
	for _, be := range backends() {
		want := map[string]string{"postgres": "read committed", "postgres_repeatable_read": "repeatable read", "postgres_serializable": "serializable"}[be.name]
		if want == "" {
			continue
		}
		a, _ := be.open(t, Options{})
		var got string
		if err := a.(*SQL).db.W.QueryRowContext(bg, `SHOW transaction_isolation`).Scan(&got); err != nil || got != want {
			t.Errorf("%s: transaction_isolation %q, %v; want %q", be.name, got, err, want)
		}
	}
}
