package decree

import (
	"context"
	"fmt"
	"mime/quotedprintable"
	"strings"
	"testing"

	"github.com/tdewolff/parse/v2"
	lexer "github.com/tdewolff/parse/v2/html"

	"milter91/internal/cpumeter"
	"milter91/internal/txn"
)

// htmlAd50K builds a realistic HTML advertising message: a quoted-printable
// text/html part of about 50 KiB (product rows with inline styles,
// tracking links, images) ending in the advertiser information and the
// opt-out block.
func htmlAd50K(tb testing.TB) *txn.Transaction {
	tb.Helper()
	var body strings.Builder
	w := quotedprintable.NewWriter(&body)
	if _, err := w.Write([]byte(htmlAd50KSource())); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return msg(tb, []string{
		"From: Example Shop <news@shop.example.com>",
		"Subject: =?UTF-8?B?W1FDXSBHaeG6o20gZ2nDoSAzMCUgdGjDoW5nIDEw?=",
		"List-Unsubscribe: <mailto:unsub@shop.example.com>",
		"MIME-Version: 1.0",
		"Content-Type: text/html; charset=utf-8",
		"Content-Transfer-Encoding: quoted-printable",
	}, body.String())
}

// htmlAd50KSource is the HTML of htmlAd50K, before encoding.
func htmlAd50KSource() string {
	var h strings.Builder
	h.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>Ưu đãi</title>` +
		`<style>td{font-family:Arial,sans-serif;font-size:14px;color:#333}.btn{background:#e00}</style></head>` +
		`<body style="margin:0;padding:0"><table width="600" align="center" cellpadding="0" cellspacing="0">`)
	for i := 0; h.Len() < 48*1024; i++ {
		fmt.Fprintf(&h, `<tr><td style="padding:12px;border-bottom:1px solid #eee">`+
			`<a href="https://click.example.com/t/%d?u=abcdef0123456789&amp;c=thang10"><img src="https://img.example.com/p/%d.jpg" width="180" alt="Sản phẩm %d"></a></td>`+
			`<td style="padding:12px"><h3 style="margin:0">Nồi cơm điện cao cấp mẫu %d</h3>`+
			`<p>Giảm giá 30%% chỉ trong tuần này, giao hàng miễn phí toàn quốc. Giá chỉ 1.250.000đ.</p>`+
			`<a class="btn" href="https://click.example.com/b/%d?u=abcdef0123456789">Mua ngay</a></td></tr>`+"\n", i, i, i, i, i)
	}
	h.WriteString(`</table><div style="font-size:12px;color:#777"><p><b>CÔNG TY TNHH EXAMPLE SHOP</b><br>` +
		`Địa chỉ: Số 1 Đường Láng, Quận Đống Đa, Hà Nội<br>Hotline: <a href="tel:0901234567">0901 234 567</a><br>` +
		`Email: <a href="mailto:lienhe@example.com">lienhe@example.com</a></p>` +
		`<p>Quý khách có quyền từ chối nhận toàn bộ thư quảng cáo của chúng tôi: ` +
		`<a href="https://shop.example.com/huy-dang-ky?u=abcdef">Hủy đăng ký</a> | ` +
		`<a href="mailto:huy@example.com">huy@example.com</a> | gọi 1900 1234</p></div></body></html>`)
	return h.String()
}

// TestHTMLAd50K checks the benchmark message analyses as intended.
func TestHTMLAd50K(t *testing.T) {
	tr := htmlAd50K(t)
	if n := tr.Body.Size(); n < 50*1024 || n > 64*1024 {
		t.Fatalf("body is %d bytes", n)
	}
	got := newDefault(t).Analyze(tr, nil, "shop.example.com")
	if !got.Advertising || got.Label != txn.LabelOK || !slices3(got.Channels) || len(got.MissingInfo) != 0 {
		t.Errorf("%+v", got)
	}
}

func slices3(ch []string) bool { return len(ch) == 3 }

func BenchmarkAnalyzeHTML50K(b *testing.B) {
	tr := htmlAd50K(b)
	a := newDefault(b)
	b.SetBytes(tr.Body.Size())
	b.ReportAllocs()
	report := cpumeter.Start(b)
	for b.Loop() {
		a.Analyze(tr, nil, "shop.example.com")
	}
	report()
}

// BenchmarkTokenizerFloor runs only the tdewolff/parse HTML lexer over
// the decoded HTML of htmlAd50K: the part of the analysis cost no change
// in this package can remove.
func BenchmarkTokenizerFloor(b *testing.B) {
	src := htmlAd50KSource()
	buf := make([]byte, len(src), len(src)+1)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, src)
		l := lexer.NewLexer(parse.NewInputBytes(buf))
		for tt, _ := l.Next(); tt != lexer.ErrorToken; tt, _ = l.Next() {
		}
	}
}

// BenchmarkLinks50K extracts the link hosts of htmlAd50K (URIBL input).
func BenchmarkLinks50K(b *testing.B) {
	tr := htmlAd50K(b)
	b.SetBytes(tr.Body.Size())
	b.ReportAllocs()
	for b.Loop() {
		readBody(context.Background(), tr, 0, DefaultMaxLinkBytes).Links(200)
	}
}
