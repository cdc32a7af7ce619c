package main

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"milter91/config"
	"milter91/internal/ratelog"
)

// newLogger returns the slog logger the config asks for (text or JSON).
func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// protocolLogEvery is the period of go-milter's warnings of one kind.
const protocolLogEvery = 10 * time.Second

// protocolWarnings returns a go-milter LogWarning that writes to l, at
// most one line per format and 10 s with the count since the last one: a
// misbehaving MTA, or accept failing while the process is out of file
// descriptors (go-milter retries it every 5 ms to 1 s), cannot flood the
// log.
func protocolWarnings(l *slog.Logger) func(format string, v ...any) {
	r := ratelog.New(l, protocolLogEvery, slog.LevelWarn)
	return func(format string, v ...any) {
		r.Note(time.Now(), format, 1, "milter protocol: "+fmt.Sprintf(format, v...))
	}
}
