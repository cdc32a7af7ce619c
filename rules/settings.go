package rules

import "strconv"

// Settings are the score thresholds. A threshold of 0 is off: with all
// three off, only forced actions change the verdict.
type Settings struct {
	// TagAt is the score from which the action is tag.
	TagAt float64
	// QuarantineAt is the score from which the action is quarantine.
	QuarantineAt float64
	// RejectAt is the score from which the action is reject.
	RejectAt float64
}

// settingKeys are the keys of a settings block, besides override.
var settingKeys = []string{"tag_at", "quarantine_at", "reject_at"}

// settingsBuilder merges settings blocks: each key may be set by one source
// only, unless a later block says override: true.
type settingsBuilder struct {
	vals map[string]float64
	at   map[string]Value // where each key was set last
}

// add reads one settings block.
func (b *settingsBuilder) add(v Value, errs *errorSink) {
	if b.vals == nil {
		b.vals, b.at = map[string]float64{}, map[string]Value{}
	}
	fields, err := v.Fields()
	errs.add(v, err)
	override := false
	for _, f := range fields {
		if f.Key == "override" {
			override, err = f.Value.Bool()
			errs.add(f.Value, err)
		}
	}
	for _, f := range fields {
		switch {
		case f.Key == "override":
		case !isSettingKey(f.Key):
			errs.add(f.KeyAt, f.KeyAt.Errorf("unknown setting %q (want tag_at, quarantine_at, reject_at, override)", f.Key))
		default:
			b.set(f, override, errs)
		}
	}
}

// set records one threshold: a finite number >= 0.
func (b *settingsBuilder) set(f Field, override bool, errs *errorSink) {
	n, err := f.Value.Number()
	if err == nil && n < 0 {
		err = f.Value.Errorf("%s must be 0 (off) or more", f.Key)
	}
	if err != nil {
		errs.add(f.Value, err)
		return
	}
	if prev, dup := b.at[f.Key]; dup && !override {
		line, col := prev.Pos()
		errs.add(f.KeyAt, f.KeyAt.Errorf("setting %s is already set at %s:%d:%d; add override: true to this settings block to replace it",
			f.Key, prev.file, line, col))
		return
	}
	b.vals[f.Key], b.at[f.Key] = n, f.KeyAt
}

func isSettingKey(k string) bool {
	for _, s := range settingKeys {
		if s == k {
			return true
		}
	}
	return false
}

// build checks that the thresholds that are on rise in the order tag,
// quarantine, reject, so that every one of them can be reached.
func (b *settingsBuilder) build(errs *errorSink) Settings {
	s := Settings{TagAt: b.vals["tag_at"], QuarantineAt: b.vals["quarantine_at"], RejectAt: b.vals["reject_at"]}
	order := []struct {
		key string
		val float64
	}{{"tag_at", s.TagAt}, {"quarantine_at", s.QuarantineAt}, {"reject_at", s.RejectAt}}
	for i, lo := range order {
		for _, hi := range order[i+1:] {
			if lo.val > 0 && hi.val > 0 && lo.val >= hi.val {
				at := b.at[hi.key]
				errs.add(at, at.Errorf("%s %s must be above %s %s", hi.key, fmtScore(hi.val), lo.key, fmtScore(lo.val)))
			}
		}
	}
	return s
}

// fmtScore prints a score without trailing zeros: 15, 2.5.
func fmtScore(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
