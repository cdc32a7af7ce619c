package archive

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"milter91/internal/pgtest"
)

// benchHeader returns a header block of about 3 KiB like a real inbound
// message's: trace fields, a DKIM signature, authentication results and
// the fields we add, with a UTF-8 subject.
func benchHeader(i int) string {
	sig := strings.Repeat("b1lSw2xNTsS4Y3pwWEwwQWe0Hbn7jdIxu6mQjfcnqqKHOxk7RK6z", 7)
	return HeaderBlock([][2]string{
		{"Return-Path", fmt.Sprintf("<bounce-%d@mail.example.com>", i)},
		{"Received", fmt.Sprintf("from mail.example.com (mail.example.com [127.0.0.%d])\r\n\tby mx1.example.net (Postfix) with ESMTPS id 4Q%06dZ\r\n\tfor <user%d@example.net>; Sun, 1 Mar 2026 09:00:00 +0700 (+07)", i%250+1, i, i%1000)},
		{"Received", "from app01.internal.example.com (app01.internal.example.com [127.0.0.10])\r\n\tby mail.example.com (Postfix) with ESMTP id 9A1B2C3D4E\r\n\tfor <user@example.net>; Sun, 1 Mar 2026 08:59:59 +0700 (+07)"},
		{"DKIM-Signature", "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s2026;\r\n\th=from:to:subject:date:message-id:mime-version:content-type;\r\n\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n\tb=" + sig},
		{"Authentication-Results", "mx1.example.net; spf=pass smtp.mailfrom=mail.example.com;\r\n\tdkim=pass header.d=example.com header.s=s2026; dmarc=pass header.from=example.com"},
		{"From", "\"Cửa hàng Example\" <news@example.com>"},
		{"To", fmt.Sprintf("<user%d@example.net>", i%1000)},
		{"Subject", "=?UTF-8?B?W1FDXSBLaHV54bq/biBtw6NpIHRow6FuZyAz?= =?UTF-8?B?IC0gR2nhuqNtIGdpw6EgxJHhur9uIDUwJQ==?="},
		{"Date", "Sun, 1 Mar 2026 08:59:58 +0700"},
		{"Message-ID", fmt.Sprintf("<%d.%d@mail.example.com>", i, i*7919)},
		{"MIME-Version", "1.0"},
		{"Content-Type", "multipart/alternative; boundary=\"----=_Part_123456_7890.1772330398000\""},
		{"List-Unsubscribe", "<https://example.com/unsubscribe?u=abcdef0123456789abcdef0123456789>,\r\n\t<mailto:unsubscribe@example.com?subject=unsubscribe>"},
		{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
		{"X-Mailer", "Example Mailer 4.2"},
		{"Feedback-ID", "campaign-2026-03:example:newsletter:example.com"},
		{"X-Spam-Score", "3.2"},
		{"X-Spam-Status", "No, score=3.2 required=5.0 tests=DECREE91_LABEL,HTML_MESSAGE,DKIM_VALID,SPF_PASS"},
		{"X-Milter91", "decree91.label=present; advertiser=example.com; consent=yes; art=Art. 12, Art. 13"},
		{"Comments", strings.Repeat("lorem ipsum dolor sit amet ", 37)},
	})
}

func benchRecord(i int, at time.Time) Record {
	return Record{
		Time: at, QueueID: fmt.Sprintf("4Q%06dZ", i), Direction: "inbound",
		ClientIP: fmt.Sprintf("127.0.%d.%d", i/250%250, i%250+1), ClientName: "mail.example.com", HELO: "mail.example.com",
		MailFrom: fmt.Sprintf("bounce-%d@mail.example.com", i), Rcpts: []string{fmt.Sprintf("user%d@example.net", i%1000), "list@example.net"},
		MessageID: fmt.Sprintf("<%d.%d@mail.example.com>", i, i*7919), From: "\"Cửa hàng Example\" <news@example.com>",
		Subject: "[QC] Khuyến mãi tháng 3 - Giảm giá đến 50%", Header: benchHeader(i),
		Action: []string{"accept", "tag", "reject"}[i%3], Score: 3.2,
		Rules: []string{"decree91.label", "html"}, Articles: []string{"Art. 12"}, Advertiser: "example.com",
		Size: 48213,
	}
}

const benchBatch = 500

// BenchmarkInsert measures one Insert of a 500-record batch (~3 KiB
// headers, 2 recipients each) into a growing archive.
func BenchmarkInsert(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			target := filepath.Join(b.TempDir(), "bench.db")
			if backend == "postgres" {
				target = pgtest.DSN(b)
			}
			s, err := Open(context.Background(), target)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			i := 0
			batch := make([]Record, benchBatch)
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				for j := range batch {
					batch[j] = benchRecord(i, t0.Add(time.Duration(i)*time.Second))
					i++
				}
				b.StartTimer()
				if err := s.Insert(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkSearchMessageID searches one message id over 30 days in an
// archive of 100,000 records.
func BenchmarkSearchMessageID(b *testing.B) {
	const rows = 100000
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	batch := make([]Record, benchBatch)
	for i := 0; i < rows; i += benchBatch {
		for j := range batch {
			batch[j] = benchRecord(i+j, t0.Add(time.Duration(i+j)*25*time.Second))
		}
		if err := s.Insert(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	q := Query{Since: t0, Until: t0.Add(30 * 24 * time.Hour)}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		n := i * 7919 % rows
		q.MessageID = fmt.Sprintf("<%d.%d@mail.example.com>", n, n*7919)
		got, err := s.Search(ctx, q)
		if err != nil || len(got) != 1 || len(got[0].Rcpts) != 2 {
			b.Fatalf("search %s: %d records, %v", q.MessageID, len(got), err)
		}
		i++
	}
}

// BenchmarkSpoolPut is what Add costs a milter goroutine once the queue
// is full and records go to the spool: one frame appended to a file (no
// fsync), for a record with a 3 KiB header block.
func BenchmarkSpoolPut(b *testing.B) {
	sp, err := OpenSpool(b.TempDir(), 1<<40, 500)
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	r := fullRecord("Q1")
	r.Header = strings.Repeat("X-Filler: 0123456789abcdef0123456789abcdef0123456789abcdef\r\n", 50)
	b.SetBytes(int64(len(r.Header)))
	for b.Loop() {
		if err := sp.Put(r); err != nil {
			b.Fatal(err)
		}
	}
}
