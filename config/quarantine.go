package config

// Quarantine chooses how quarantine verdicts are carried out: "hold"
// (Postfix's hold queue) or "junk" (delivered with the Junk header fields
// that a Sieve rule files into the Junk folder).
type Quarantine struct {
	// Method is for every quarantine but DMARC's.
	Method string
	// DMARCMethod is for a DMARC failure whose From domain publishes
	// p=quarantine (RFC 7489 §6.3).
	DMARCMethod string
}

type rawQuarantine struct {
	Method      string `yaml:"method"`
	DMARCMethod string `yaml:"dmarc_method"`
}

func (v *validator) quarantine(c *Config, r *rawQuarantine) {
	c.Quarantine = Quarantine{Method: r.Method, DMARCMethod: r.DMARCMethod}
	for _, f := range []struct{ path, value string }{{"$.quarantine.method", r.Method}, {"$.quarantine.dmarc_method", r.DMARCMethod}} {
		if f.value != "hold" && f.value != "junk" {
			v.fail(f.path, "%s: %q: want hold or junk", f.path[2:], f.value)
		}
	}
}
