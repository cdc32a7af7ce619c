package loadgen

import (
	"time"

	"milter91/internal/testdns"
)

// ServeDNS serves zones with the project's test DNS server on listen
// (HOST:PORT, UDP and TCP; port 0 picks one free for both), every answer
// delayed by delay (NXDOMAIN ones too, as a distant resolver's would be).
// It returns once both listeners run, or an error for bad records or a
// busy address. Stop it with Close; Addr and Queries report.
func ServeDNS(zones *Zones, listen string, delay time.Duration) (*testdns.Server, error) {
	zone, err := zones.TestZone()
	if err != nil {
		return nil, err
	}
	s, err := testdns.StartAt(listen, zone)
	if err != nil {
		return nil, err
	}
	s.SetDelay(delay)
	return s, nil
}
