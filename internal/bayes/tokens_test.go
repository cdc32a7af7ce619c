package bayes

import (
	"context"
	"slices"
	"strings"
	"testing"

	"milter91/internal/mailmsg"
)

// tokens returns the tokens of a raw message (LF line ends allowed).
func tokens(t *testing.T, tk Tokenizer, raw string) []string {
	t.Helper()
	tk.Names = true
	f, err := tk.ReadMessage(context.Background(), strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return f.Tokens()
}

func hasAll(t *testing.T, got []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("token %q missing from %q", w, got)
		}
	}
}

func TestVietnameseWithAndWithoutDiacritics(t *testing.T) {
	with := tokens(t, Tokenizer{}, "Subject: Khuyến mãi\n\nKhuyến mãi lớn: giảm giá đặc biệt\n")
	without := tokens(t, Tokenizer{}, "Subject: Khuyen mai\n\nkhuyen mai lon: giam gia dac biet\n")
	// The folded words are shared: a message without diacritics meets the
	// counts of one with them.
	hasAll(t, with, "khuyen", "mai", "lon", "giam", "gia", "dac", "biet", "subject:khuyen mai")
	hasAll(t, without, "khuyen", "mai", "lon", "giam", "gia", "dac", "biet", "subject:khuyen mai")
	// The exact spelling counts too (NFC, lower case).
	hasAll(t, with, "khuyến", "mãi", "lớn", "giảm", "giá", "đặc", "biệt")
	if slices.Contains(without, "khuyến") {
		t.Error("a word without diacritics got an accented token")
	}
}

func TestNFC(t *testing.T) {
	composed := tokens(t, Tokenizer{}, "Subject: x\n\ngiảm giá\n")
	decomposed := tokens(t, Tokenizer{}, "Subject: x\n\ngia\u0309m gia\u0301\n") // a + combining hook, a + combining acute
	if !slices.Equal(composed, decomposed) {
		t.Errorf("NFD text tokens differ:\n%q\n%q", composed, decomposed)
	}
}

func TestURLTokens(t *testing.T) {
	got := tokens(t, Tokenizer{}, "Subject: x\n\nsee https://shop.example.co.uk/sale/shoes?id=7 and http://192.0.2.7/x and mail win@prize.example.com\n")
	hasAll(t, got, "proto:https", "url:shop.example.co.uk", "url:example.co.uk", "urlpath:sale", "urlpath:shoes", "urlpath:id",
		"url:ip", "email:prize.example.com", "email:example.com", "emailname:win")
}

func TestHeaderAndStructureTokens(t *testing.T) {
	raw := "From: \"Best Deals\" <promo@deals.example.com>\n" +
		"Received: from mx.deals.example.com (mx.deals.example.com [192.0.2.10]) by mx.example.net with ESMTP id 1; Mon, 1 Dec 2026 10:00:00 +0000\n" +
		"Subject: =?UTF-8?B?R2nhuqNtIGdpw6E=?=\n" +
		"X-Mailer: BulkMailer 5.1\n" +
		"MIME-Version: 1.0\n" +
		"Content-Type: multipart/mixed; boundary=b\n\n" +
		"--b\nContent-Type: text/html; charset=utf-8\n\n<p>Hello</p>\n" +
		"--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"invoice.pdf.exe\"\n\nMZ\n--b--\n"
	got := tokens(t, Tokenizer{}, raw)
	hasAll(t, got, "subject:giam", "subject:gia", "subject:giam gia", "from:name:best", "from:name:deals",
		"from:addr:promo@deals.example.com", "from:domain:deals.example.com", "from:domain:example.com",
		"received:count:1", "received:from:mx.deals.example.com", "received:by:mx.example.net", "received:with:esmtp", "received:ip:192.0.2",
		"ct:multipart/mixed", "mailer:bulkmailer", "mime:text/html", "mime:application/octet-stream",
		"mime:ext:exe", "mime:ext2:pdf", "mime:htmlonly", "hello")
}

func TestOSBPairs(t *testing.T) {
	got := tokens(t, Tokenizer{Window: 3}, "Subject: x\n\nbuy cheap pills\n")
	hasAll(t, got, "buy cheap", "cheap pills", "buy _ pills")
	if got := tokens(t, Tokenizer{}, "Subject: x\n\nbuy cheap pills\n"); slices.Contains(got, "buy cheap") {
		t.Errorf("window 1 made pairs: %q", got)
	}
}

func TestFeaturesBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("Subject: x\n\n")
	for i := range 20000 {
		b.WriteString("w")
		b.WriteString(strings.Repeat("a", i%9+1))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString(string(rune('a' + i/26%26)))
		b.WriteString(" ")
	}
	f, err := Tokenizer{Window: MaxWindow}.ReadMessage(context.Background(), strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if f.Len() != MaxFeatures {
		t.Errorf("%d features, want the cap %d", f.Len(), MaxFeatures)
	}
}

func TestExtractWithoutBody(t *testing.T) {
	f := Extract(mailmsg.NewView(nil), nil)
	if f.Len() == 0 {
		t.Error("no features for an empty header: want the shape tokens (from:noname, ct:none)")
	}
}

func FuzzExtract(f *testing.F) {
	f.Add("From: a@example.com\nSubject: =?utf-8?q?Khuy=E1=BA=BFn?=\n\nhttp://x.example/a b@c.example\n")
	f.Add("Content-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: text/html\n\n<a href=x>y</a>\n--q--\n")
	f.Fuzz(func(t *testing.T, raw string) {
		fs, err := Tokenizer{Window: MaxWindow}.ReadMessage(context.Background(), strings.NewReader(raw))
		if err != nil {
			return
		}
		if fs.Len() > MaxFeatures {
			t.Fatalf("%d features", fs.Len())
		}
	})
}
