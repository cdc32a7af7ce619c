package config

import (
	"fmt"
	"sort"
)

// Modes say whether verdicts are enforced or only observed: the global
// mode, overridden per listen address and, more specific still, per
// Postfix {daemon_name} (milter_macro_daemon_name).
type Modes struct {
	// Observe is the global mode: true for observe, false for enforce.
	Observe bool
	// Listeners and DaemonNames map a listen address (as in Listen) or a
	// {daemon_name} to its mode: true for observe, false for enforce.
	Listeners   map[string]bool
	DaemonNames map[string]bool
}

type rawModes struct {
	Listeners   map[string]string `yaml:"listeners"`
	DaemonNames map[string]string `yaml:"daemon_names"`
}

// mode validates mode and modes: each value is "enforce" or "observe",
// each listener one of listen.
func (v *validator) mode(c *Config, mode string, r *rawModes) {
	c.Modes.Observe = v.modeName("$.mode", mode)
	c.Modes.Listeners = v.modeMap("$.modes.listeners", r.Listeners, func(k string) string {
		if !contains(c.Listen, k) {
			return fmt.Sprintf("%q is not one of listen %v", k, c.Listen)
		}
		return ""
	})
	c.Modes.DaemonNames = v.modeMap("$.modes.daemon_names", r.DaemonNames, func(k string) string {
		if k == "" {
			return "empty daemon name"
		}
		return ""
	})
}

// modeName reads "enforce" (false) or "observe" (true) at path.
func (v *validator) modeName(path, s string) bool {
	switch s {
	case "enforce":
		return false
	case "observe":
		return true
	}
	v.fail(path, "%s: %q: want enforce or observe", path[2:], s)
	return false
}

// modeMap validates a map of names to modes; bad returns why a key is
// refused, "" when it is fine.
func (v *validator) modeMap(path string, m map[string]string, bad func(string) string) map[string]bool {
	out := make(map[string]bool, len(m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if why := bad(k); why != "" {
			v.fail(path, "%s: %s", path[2:], why)
			continue
		}
		out[k] = v.modeName(path, m[k])
	}
	return out
}
