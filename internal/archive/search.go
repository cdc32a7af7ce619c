package archive

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Search limits.
const (
	// DefaultLimit is Query.Limit when 0.
	DefaultLimit = 1000
	// MaxLimit is the largest Query.Limit, to bound a reply's memory.
	MaxLimit = 100000
)

// Query selects archived records. Since and Until are required and form
// the half-open range [Since, Until), compared at millisecond precision as
// stored. The optional filters match exactly after normalisation: From
// (the header From address) and Rcpt (an envelope recipient) by
// NormalizeAddress, MessageID by NormalizeMessageID, ClientIP parsed with
// net/netip and compared canonically. Limit is the maximum number of
// records, DefaultLimit when 0, at most MaxLimit.
type Query struct {
	Since     time.Time
	Until     time.Time
	From      string
	Rcpt      string
	MessageID string
	ClientIP  string
	Limit     int
}

// headerCols are the columns Search reads, in scanRecord's order.
const headerCols = `h.id, h.time, h.queue_id, h.direction, h.client_ip, h.client_name,
	h.helo, h.mail_from, h.message_id, h.from_addr, h.subject, h.header, h.action,
	h.score, h.rules, h.articles, h.advertiser, h.reply, h.size`

// rcptChunk bounds the ids of one recipients query (placeholder limits).
const rcptChunk = 500

// Search returns the records q selects, newest first (ties in insertion
// order reversed), with their recipients. Strings come back in stored form
// (see Insert): addresses lower-cased, message id without angle brackets,
// client IP canonical, recipients de-duplicated and sorted; Header byte
// for byte as inserted. Errors: a zero Since or Until, Until not after
// Since, a ClientIP that is not an IP address, a filter that normalises
// to "", a Limit below 0 or above MaxLimit; the database's.
func (s *Store) Search(ctx context.Context, q Query) ([]Record, error) {
	query, args, err := s.searchSQL(q)
	if err != nil {
		return nil, fmt.Errorf("archive: search: %w", err)
	}
	var out []Record
	err = s.read(ctx, func(tx *sql.Tx) error {
		ids, recs, err := scanRecords(ctx, tx, query, args)
		if err != nil {
			return err
		}
		out = recs
		return s.attachRcpts(ctx, tx, ids, recs)
	})
	if err != nil {
		return nil, fmt.Errorf("archive: search: %w", err)
	}
	return out, nil
}

// searchSQL validates q and builds the query and its arguments.
func (s *Store) searchSQL(q Query) (string, []any, error) {
	if q.Since.IsZero() || q.Until.IsZero() {
		return "", nil, errors.New("time range required (Since and Until)")
	}
	if !q.Until.After(q.Since) {
		return "", nil, fmt.Errorf("until %s is not after since %s", q.Until.Format(time.RFC3339), q.Since.Format(time.RFC3339))
	}
	limit := q.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	if limit < 0 || limit > MaxLimit {
		return "", nil, fmt.Errorf("limit %d out of range 1..%d", q.Limit, MaxLimit)
	}
	since, until := q.Since.UnixMilli(), q.Until.UnixMilli()
	var b strings.Builder
	b.WriteString("SELECT " + headerCols + " FROM archive_headers h")
	args := []any{}
	if q.Rcpt != "" {
		rc := indexKey(NormalizeAddress(q.Rcpt))
		if rc == "" {
			return "", nil, fmt.Errorf("recipient %q is empty once normalised", q.Rcpt)
		}
		// The recipient's (rcpt, time) index finds the rows; its time
		// bound is the header's, copied on insert.
		b.WriteString(" JOIN archive_recipients r ON r.header_id = h.id AND r.rcpt = ? AND r.time >= ? AND r.time < ?")
		args = append(args, rc, since, until)
	}
	b.WriteString(" WHERE h.time >= ? AND h.time < ?")
	args = append(args, since, until)
	filters, err := exactFilters(q)
	if err != nil {
		return "", nil, err
	}
	for _, f := range filters {
		b.WriteString(" AND h." + f.col + " = ?")
		args = append(args, f.val)
	}
	b.WriteString(" ORDER BY h.time DESC, h.id DESC LIMIT ?")
	args = append(args, limit)
	return s.rebind(b.String()), args, nil
}

type filter struct{ col, val string }

// exactFilters normalises the optional header-column filters of q.
func exactFilters(q Query) ([]filter, error) {
	var out []filter
	if q.From != "" {
		v := indexKey(NormalizeAddress(q.From))
		if v == "" {
			return nil, fmt.Errorf("from address %q is empty once normalised", q.From)
		}
		out = append(out, filter{col: "from_addr", val: v})
	}
	if q.MessageID != "" {
		v := indexKey(NormalizeMessageID(q.MessageID))
		if v == "" {
			return nil, fmt.Errorf("message id %q is empty once normalised", q.MessageID)
		}
		out = append(out, filter{col: "message_id", val: v})
	}
	if q.ClientIP != "" {
		v, err := canonicalIP(q.ClientIP)
		if err != nil {
			return nil, err
		}
		out = append(out, filter{col: "client_ip", val: v})
	}
	return out, nil
}

// scanRecords runs the search and returns the rows' ids beside them.
func scanRecords(ctx context.Context, tx *sql.Tx, query string, args []any) ([]int64, []Record, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var ids []int64
	var recs []Record
	for rows.Next() {
		var (
			r               Record
			id, ms          int64
			header          []byte
			rules, articles string
		)
		err := rows.Scan(&id, &ms, &r.QueueID, &r.Direction, &r.ClientIP, &r.ClientName,
			&r.HELO, &r.MailFrom, &r.MessageID, &r.From, &r.Subject, &header, &r.Action,
			&r.Score, &rules, &articles, &r.Advertiser, &r.Reply, &r.Size)
		if err != nil {
			return nil, nil, err
		}
		r.Time = time.UnixMilli(ms).UTC()
		if r.Direction == DirectionRCPTStage {
			r.Direction, r.Stage = "", StageRCPT
		}
		r.Header = string(header)
		if r.Rules, err = decodeList(rules); err != nil {
			return nil, nil, err
		}
		if r.Articles, err = decodeList(articles); err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
		recs = append(recs, r)
	}
	return ids, recs, rows.Err()
}

// decodeList decodes a JSON array column; nil for an empty one.
func decodeList(s string) ([]string, error) {
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, fmt.Errorf("stored list %q: %w", s, err)
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}

// attachRcpts fills recs[i].Rcpts for the header ids[i], rcptChunk ids
// per query.
func (s *Store) attachRcpts(ctx context.Context, tx *sql.Tx, ids []int64, recs []Record) error {
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	for start := 0; start < len(ids); start += rcptChunk {
		chunk := ids[start:min(start+rcptChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		q := `SELECT header_id, rcpt FROM archive_recipients WHERE header_id IN (?` +
			strings.Repeat(", ?", len(chunk)-1) + `) ORDER BY header_id, rcpt`
		rows, err := tx.QueryContext(ctx, s.rebind(q), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var rc string
			if err := rows.Scan(&id, &rc); err != nil {
				rows.Close()
				return err
			}
			recs[pos[id]].Rcpts = append(recs[pos[id]].Rcpts, rc)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
