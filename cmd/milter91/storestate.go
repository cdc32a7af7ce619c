package main

import (
	"fmt"
	"sync"
	"time"
)

// storeState follows a store's writes for /v1/health and
// milter91_store_up: failing from a failed write to the next one that
// works. A nil *storeState ignores everything (milter91 check).
type storeState struct {
	mu      sync.Mutex
	failing bool
	since   time.Time
	err     string
	// onError counts a failure that no other counter sees (nil: none).
	onError func()
}

// wrote records a write's outcome (err nil: it worked).
func (s *storeState) wrote(err error) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		s.failing = false
		return
	}
	if !s.failing {
		s.failing, s.since = true, time.Now()
	}
	s.err = err.Error()
}

// failed records a failed read: failing too, until a write works.
func (s *storeState) failed(err error) {
	if err != nil {
		s.wrote(err)
	}
}

// count calls onError for a failed err.
func (s *storeState) count(err error) {
	if s != nil && err != nil && s.onError != nil {
		s.onError()
	}
}

// status reports whether the last write worked and, when not, since when
// writes fail and the last error.
func (s *storeState) status() (up bool, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.failing {
		return true, ""
	}
	return false, fmt.Sprintf("writes failing since %s: %s", s.since.UTC().Format(time.RFC3339), s.err)
}

// Read, Wrote and Lost let the registry's store adapter report to s
// (setup.Health): a failed lookup marks the store failing, a write
// clears or sets it, a lost write is counted.
func (s *storeState) Read(err error)  { s.failed(err) }
func (s *storeState) Wrote(err error) { s.wrote(err) }
func (s *storeState) Lost(err error)  { s.count(err) }
