package archive

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
)

// row is a Record in its stored form.
type row struct {
	time                                int64
	queueID, direction, clientIP        string
	clientName, helo, mailFrom          string
	messageID, from, subject            string
	header                              []byte
	action, rules, articles, advertiser string
	reply                               string
	score                               float64
	size                                int64
	rcpts                               []string
	ruleKeys, articleKeys, requestKeys  []string
	blockedClient                       bool   // counts only (Record.BlockedClient)
	throttled                           string // counts only (Record.Throttled)
	would                               string // counts only (Record.Would)
}

// toRow normalises r for storage: Time to Unix ms; addresses, message id
// and client IP as Search normalises its filters; recipients
// de-duplicated; text made valid UTF-8 without NUL (cleanText); a NaN
// score stored as 0 (SQLite would store NULL). Header is kept byte for
// byte.
func toRow(r Record) row {
	out := row{
		time:        r.Time.UnixMilli(),
		queueID:     cleanText(r.QueueID),
		direction:   countDirection(r),
		clientIP:    storedIP(r.ClientIP),
		clientName:  cleanText(r.ClientName),
		helo:        cleanText(r.HELO),
		mailFrom:    cleanText(r.MailFrom),
		messageID:   indexKey(NormalizeMessageID(r.MessageID)),
		from:        indexKey(NormalizeAddress(r.From)),
		subject:     cleanText(r.Subject),
		header:      append([]byte{}, r.Header...),
		action:      indexKey(r.Action),
		advertiser:  indexKey(r.Advertiser),
		reply:       cleanText(r.Reply),
		score:       r.Score,
		size:        r.Size,
		ruleKeys:    distinctKeys(r.Rules),
		articleKeys: distinctKeys(r.Articles),
		requestKeys: distinctKeys(r.Requests),
		rules:       jsonList(r.Rules),
		articles:    jsonList(r.Articles),

		blockedClient: r.BlockedClient,
		throttled:     indexKey(cleanText(r.Throttled)),
		would:         indexKey(r.Would),
	}
	if math.IsNaN(out.score) {
		out.score = 0
	}
	for _, a := range r.Rcpts {
		if k := indexKey(NormalizeAddress(a)); k != "" && !slices.Contains(out.rcpts, k) {
			out.rcpts = append(out.rcpts, k)
		}
	}
	return out
}

// countDirection is the stored direction of r: DirectionRCPTStage for a
// client refused at RCPT, else r.Direction.
func countDirection(r Record) string {
	if r.Stage == StageRCPT {
		return DirectionRCPTStage
	}
	return indexKey(r.Direction)
}

// distinctKeys returns the distinct non-empty values of l in their stored
// form, in first-seen order.
func distinctKeys(l []string) []string {
	var out []string
	for _, v := range l {
		if k := indexKey(v); k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// jsonList encodes l as a JSON array of cleaned strings ("[]" for none).
func jsonList(l []string) string {
	c := make([]string, len(l))
	for i, v := range l {
		c[i] = cleanText(v)
	}
	b, _ := json.Marshal(c) // a []string always encodes
	return string(b)
}

const (
	insertHeader = `INSERT INTO archive_headers (time, queue_id, direction, client_ip,
		client_name, helo, mail_from, message_id, from_addr, subject, header,
		action, score, rules, articles, advertiser, reply, size)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	insertRcpt  = `INSERT INTO archive_recipients (header_id, rcpt, time) VALUES `
	insertCount = `INSERT INTO archive_daily_counts (day, direction, dimension, key, n) VALUES `
	// onConflictCount adds a batch's counts to the stored ones; tally
	// gives each key once per statement, as PostgreSQL requires.
	onConflictCount = ` ON CONFLICT (day, direction, dimension, key) DO UPDATE SET n = archive_daily_counts.n + excluded.n`
)

// Insert stores recs in one write transaction: the header rows, their
// recipients and the daily counts they add (see Count). All or nothing:
// on any error nothing of the batch is stored and the caller may retry
// the whole batch. Strings are stored normalised (see toRow); an empty
// batch is a no-op. Errors: the database's, wrapped.
func (s *Store) Insert(ctx context.Context, recs []Record) error {
	if len(recs) == 0 {
		return nil
	}
	rows := make([]row, len(recs))
	for i, r := range recs {
		rows[i] = toRow(r)
	}
	counts := tally(rows)
	if err := s.ensurePartitions(ctx, rows); err != nil {
		return err
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.insertRows(ctx, tx, rows); err != nil {
			return err
		}
		return s.upsertCounts(ctx, tx, counts)
	})
	if err != nil {
		return fmt.Errorf("archive: insert: %w", err)
	}
	return nil
}

// multiRows is the most rows of one multi-row INSERT: 300 rows of up to 5
// values stay far below both backends' placeholder limits.
const multiRows = 300

func (s *Store) insertRows(ctx context.Context, tx *sql.Tx, rows []row) error {
	hs, err := tx.PrepareContext(ctx, s.rebind(insertHeader))
	if err != nil {
		return err
	}
	defer hs.Close()
	var rcpts [][]any
	for _, r := range rows {
		var id int64
		err := hs.QueryRowContext(ctx, r.time, r.queueID, r.direction, r.clientIP,
			r.clientName, r.helo, r.mailFrom, r.messageID, r.from, r.subject, r.header,
			r.action, r.score, r.rules, r.articles, r.advertiser, r.reply, r.size).Scan(&id)
		if err != nil {
			return err
		}
		for _, rc := range r.rcpts {
			rcpts = append(rcpts, []any{id, rc, r.time})
		}
	}
	return s.insertMulti(ctx, tx, insertRcpt, "", rcpts)
}

func (s *Store) upsertCounts(ctx context.Context, tx *sql.Tx, counts []dailyCount) error {
	vals := make([][]any, len(counts))
	for i, c := range counts {
		vals[i] = []any{c.day, c.direction, c.dimension, c.key, c.n}
	}
	return s.insertMulti(ctx, tx, insertCount, onConflictCount, vals)
}

// insertMulti runs prefix (an INSERT … VALUES without its rows) with vals
// as rows, multiRows per statement, each statement ending in suffix: one
// round trip per chunk instead of one per row.
func (s *Store) insertMulti(ctx context.Context, tx *sql.Tx, prefix, suffix string, vals [][]any) error {
	for start := 0; start < len(vals); start += multiRows {
		chunk := vals[start:min(start+multiRows, len(vals))]
		one := "(?" + strings.Repeat(", ?", len(chunk[0])-1) + ")"
		var b strings.Builder
		b.WriteString(prefix)
		args := make([]any, 0, len(chunk)*len(chunk[0]))
		for i, v := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, v...)
		}
		b.WriteString(suffix)
		if _, err := tx.ExecContext(ctx, s.rebind(b.String()), args...); err != nil {
			return err
		}
	}
	return nil
}
