package redistest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/valkey-io/valkey-go"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// Two URL calls name two empty databases of one server.
func TestURLsAreSeparateDatabases(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var clients []valkey.Client
	for _, u := range []string{URL(t), URL(t)} {
		opt, err := valkey.ParseURL(u)
		if err != nil {
			t.Fatal(err)
		}
		opt.DisableCache = true
		c, err := valkey.NewClient(opt)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		defer c.Close()
		clients = append(clients, c)
	}
	if err := clients[0].Do(ctx, clients[0].B().Set().Key("k").Value("first").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	if v, err := clients[0].Do(ctx, clients[0].B().Get().Key("k").Build()).ToString(); err != nil || v != "first" {
		t.Fatalf("GET k in the first database = %q, %v", v, err)
	}
	if n, err := clients[1].Do(ctx, clients[1].B().Dbsize().Build()).AsInt64(); err != nil || n != 0 {
		t.Fatalf("second database holds %d keys, %v; want 0", n, err)
	}
}

// The private server keeps nothing on disk.
func TestPrivateServerHasNoPersistence(t *testing.T) {
	URL(t)
	if server == nil {
		t.Skipf("%s names an existing server", EnvURL)
	}
	opt, _ := valkey.ParseURL(URL(t))
	opt.DisableCache = true
	c, err := valkey.NewClient(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	for param, want := range map[string]string{"save": "", "appendonly": "no", "bind": "127.0.0.1"} {
		kv, err := c.Do(ctx, c.B().ConfigGet().Parameter(param).Build()).AsStrMap()
		if err != nil || kv[param] != want {
			t.Errorf("CONFIG GET %s = %q, %v; want %q", param, kv[param], err, want)
		}
	}
}
