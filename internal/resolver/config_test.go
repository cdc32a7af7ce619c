package resolver

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestServerAddr(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means an error
	}{
		{in: "127.0.0.1", want: "127.0.0.1:53"},
		{in: "127.0.0.1:5353", want: "127.0.0.1:5353"},
		{in: "::1", want: "[::1]:53"},
		{in: "[::1]", want: "[::1]:53"},
		{in: "[::1]:5353", want: "[::1]:5353"},
		{in: "dns.example.com"},
		{in: "dns.example.com:53"},
		{in: "127.0.0.1:0"},
		{in: "127.0.0.1:65536"},
		{in: "127.0.0.1:dns"},
		{in: "127.0.0.1:"},
		{in: ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := serverAddr(tc.in)
			if tc.want == "" {
				if err == nil {
					t.Errorf("got %q, want an error", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	s, err := Config{Servers: []string{"127.0.0.1"}}.settle()
	if err != nil {
		t.Fatal(err)
	}
	if s.timeout != 2*time.Second || s.attempts != 3 || s.cacheSize != 10000 || s.cacheBytes != 32<<20 ||
		s.minTTL != 0 || s.maxTTL != time.Hour || s.negativeTTL != time.Minute || s.now == nil {
		t.Errorf("defaults = %+v", s)
	}
	s, err = Config{Servers: []string{"127.0.0.1"}, Retries: -1, CacheSize: -1, Timeout: time.Second}.settle()
	if err != nil {
		t.Fatal(err)
	}
	if s.attempts != 1 || s.cacheSize > 0 || s.timeout != time.Second {
		t.Errorf("explicit = attempts %d, cache %d, timeout %v; want 1, disabled, 1s", s.attempts, s.cacheSize, s.timeout)
	}
	c, err := New(Config{Servers: []string{"127.0.0.1", "::1:5353", "[::1]:5353"}, CacheSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	if c.cache != nil {
		t.Error("New with CacheSize -1 made a cache")
	}
	if c, err := New(Config{Servers: []string{"127.0.0.1"}, CacheBytes: -1}); err != nil || c.cache != nil {
		t.Errorf("New with CacheBytes -1: cache %v, err %v; want no cache", c.cache, err)
	}
	if got, want := c.Servers(), []string{"127.0.0.1:53", "[::1:5353]:53", "[::1]:5353"}; !slices.Equal(got, want) {
		t.Errorf("Servers() = %q, want %q", got, want)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{name: "no servers", cfg: Config{}},
		{name: "host name server", cfg: Config{Servers: []string{"127.0.0.1", "dns.example.com"}}},
		{name: "negative timeout", cfg: Config{Servers: []string{"127.0.0.1"}, Timeout: -time.Second}},
		{name: "negative NegativeTTL", cfg: Config{Servers: []string{"127.0.0.1"}, NegativeTTL: -time.Second}},
		{name: "MinTTL above MaxTTL", cfg: Config{Servers: []string{"127.0.0.1"}, MinTTL: time.Hour, MaxTTL: time.Minute}},
		{name: "MinTTL above default MaxTTL", cfg: Config{Servers: []string{"127.0.0.1"}, MinTTL: 2 * time.Hour}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestServersFromResolvConf(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []string // nil means an error
	}{
		{
			name:    "v4 and v6",
			content: "# comment\nsearch example.test\nnameserver 127.0.0.1\nnameserver ::1\noptions ndots:1\n",
			want:    []string{"127.0.0.1:53", "[::1]:53"},
		},
		{name: "no nameserver", content: "search example.test\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "resolv.conf")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := ServersFromResolvConf(path)
			if tc.want == nil {
				if err == nil {
					t.Errorf("got %q, want an error", got)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := ServersFromResolvConf(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing file: no error")
	}
}
