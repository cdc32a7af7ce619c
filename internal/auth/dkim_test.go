package auth

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"
	"testing"

	"milter91/internal/ctxio"
	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// failingResolver answers every TXT lookup with a non-DNS error, as a
// resolver that wraps its errors might.
type failingResolver struct {
	resolver.Fake
	err error
}

func (f *failingResolver) LookupTXT(context.Context, string) ([]string, error) {
	return nil, f.err
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

// dkimCase is one VerifyDKIM case.
type dkimCase struct {
	name   string
	ctx    context.Context // nil: context.Background()
	r      resolver.Resolver
	msg    string
	max    int
	want   []string // results in header order
	detail string   // substring of the first Detail
}

// runDKIMCases runs VerifyDKIM for every case.
func runDKIMCases(t *testing.T, cases []dkimCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			got, err := VerifyDKIM(ctx, tc.r, strings.NewReader(tc.msg), tc.max)
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d results %+v, want %v", len(got), got, tc.want)
			}
			for i, w := range tc.want {
				if got[i].Result != w {
					t.Errorf("result[%d] = %s (%s), want %s", i, got[i].Result, got[i].Detail, w)
				}
			}
			if tc.detail != "" && !strings.Contains(got[0].Detail, tc.detail) {
				t.Errorf("detail %q does not mention %q", got[0].Detail, tc.detail)
			}
		})
	}
}

// TestVerifyDKIM verifies messages signed here with Ed25519 keys.
func TestVerifyDKIM(t *testing.T) {
	key, record := newEd25519(1)
	otherKey, _ := newEd25519(2)
	signed := sign(t, key, "example.com", "s1", testMessage)
	twice := sign(t, otherKey, "example.org", "s2", signed)
	keys := map[string][]string{"s1._domainkey.example.com": {record}}
	keyName := "s1._domainkey.example.com"
	runDKIMCases(t, []dkimCase{
		{name: "pass", r: &resolver.Fake{TXT: keys}, msg: signed, want: []string{"pass"}},
		{name: "LF line ends", r: &resolver.Fake{TXT: keys},
			msg: strings.ReplaceAll(signed, "\r\n", "\n"), want: []string{"pass"}},
		{name: "body changed", r: &resolver.Fake{TXT: keys},
			msg: strings.Replace(signed, "Hello Bob.", "Hello Eve.", 1), want: []string{"fail"}, detail: "body hash"},
		{name: "signed header changed", r: &resolver.Fake{TXT: keys},
			msg: strings.Replace(signed, "Subject: hello", "Subject: hullo", 1), want: []string{"fail"}, detail: "signature"},
		{name: "no key record", r: &resolver.Fake{}, msg: signed, want: []string{"permerror"}, detail: "no key"},
		{name: "revoked key", r: &resolver.Fake{TXT: map[string][]string{keyName: {"v=DKIM1; k=ed25519; p="}}},
			msg: signed, want: []string{"permerror"}, detail: "revoked"},
		{name: "key timeout", r: &resolver.Fake{Errors: map[string]error{
			keyName: resolver.Temporary(keyName, "i/o timeout", true)}},
			msg: signed, want: []string{"temperror"}, detail: "timeout"},
		{name: "wrapped non-DNS error is temporary", msg: signed, want: []string{"temperror"},
			r: &failingResolver{err: fmt.Errorf("pool: %w", context.DeadlineExceeded)}},
		{name: "cancelled context", ctx: cancelledCtx, r: &resolver.Fake{TXT: keys}, msg: signed, want: []string{"temperror"}},
		{name: "two signatures, second key missing", r: &resolver.Fake{TXT: keys}, msg: twice,
			want: []string{"permerror", "pass"}},
		{name: "max 1 verifies the first only", r: &resolver.Fake{TXT: keys}, msg: twice, max: 1,
			want: []string{"permerror"}},
	})
}

// TestVerifyDKIMCrafted checks messages whose signature needs no valid
// cryptography: the answer comes before or instead of the hash checks.
func TestVerifyDKIMCrafted(t *testing.T) {
	_, record := newEd25519(1)
	keys := map[string][]string{"s1._domainkey.example.com": {record}}
	runDKIMCases(t, []dkimCase{
		{name: "unsigned", r: &resolver.Fake{}, msg: testMessage, want: nil},
		{name: "empty message", r: &resolver.Fake{}, msg: "", want: nil},
		{name: "ends inside the header", r: &resolver.Fake{}, want: []string{"permerror"},
			msg: "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s1\r\nFrom: a@example.com"},
		{name: "l= tag is policy", r: &resolver.Fake{TXT: keys}, want: []string{"policy"}, detail: "length",
			msg: "DKIM-Signature: v=1; a=ed25519-sha256; d=example.com; s=s1; l=5; h=from; bh=AAAA; b=AAAA\r\n" + testMessage},
		{name: "rsa-sha1 refused (RFC 8301)", r: &resolver.Fake{TXT: keys}, want: []string{"permerror"}, detail: "sha1",
			msg: "DKIM-Signature: v=1; a=rsa-sha1; d=example.com; s=s1; h=from; bh=AAAA; b=AAAA\r\n" + testMessage},
		// A sender's own zone can publish a modulus of 360 000 bits (one
		// TCP DNS answer): verifying one signature of its size took 5 s.
		{name: "RSA key over 8192 bits refused", r: &resolver.Fake{TXT: map[string][]string{"big._domainkey.example.com": {hugeRSARecord(t, 360_000)}}},
			want: []string{"permerror"}, detail: "too long",
			msg: "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=big; h=from; bh=AAAA; b=AAAA\r\n" + testMessage},
	})
}

// hugeRSARecord is a DKIM key record with an RSA modulus of bits bits
// (no private key exists: only the size matters).
func hugeRSARecord(t *testing.T, bits int) string {
	t.Helper()
	n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
	n.SetBit(n, 0, 1)
	der, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: n, E: 65537})
	if err != nil {
		t.Fatal(err)
	}
	return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
}

func TestVerifyDKIMFacts(t *testing.T) {
	key, record := newEd25519(3)
	msg := sign(t, key, "Example.COM", "sel", testMessage)
	got, err := VerifyDKIM(context.Background(),
		&resolver.Fake{TXT: map[string][]string{"sel._domainkey.example.com": {record}}}, strings.NewReader(msg), 0)
	if err != nil || len(got) != 1 {
		t.Fatalf("got %+v, %v", got, err)
	}
	want := txn.DKIM{Result: "pass", Domain: "example.com", Selector: "sel",
		Algorithm: "ed25519-sha256", HeaderB: bValue(t, msg)[:8]}
	if got[0] != want {
		t.Errorf("got %+v\nwant %+v", got[0], want)
	}
}

func TestVerifyDKIMDefaultMax(t *testing.T) {
	msg := testMessage
	for i := range 7 {
		key, _ := newEd25519(byte(10 + i))
		msg = sign(t, key, "example.com", fmt.Sprintf("s%d", i), msg)
	}
	got, err := VerifyDKIM(context.Background(), &resolver.Fake{}, strings.NewReader(msg), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != DefaultMaxSignatures {
		t.Errorf("verified %d signatures of 7, want %d", len(got), DefaultMaxSignatures)
	}
	// Signatures are prepended, so the first field is the last one added.
	if got[0].Selector != "s6" {
		t.Errorf("first result is selector %q, want s6 (header order)", got[0].Selector)
	}
}

func TestVerifyDKIMReadError(t *testing.T) {
	_, err := VerifyDKIM(context.Background(), &resolver.Fake{}, io.MultiReader(strings.NewReader("From: a@example.com\r\n"), errReader{}), 0)
	if err == nil {
		t.Fatal("want an error for an unreadable message")
	}
	key, record := newEd25519(4)
	signed := sign(t, key, "example.com", "s1", testMessage)
	r := &resolver.Fake{TXT: map[string][]string{"s1._domainkey.example.com": {record}}}
	_, err = VerifyDKIM(context.Background(), r, io.MultiReader(strings.NewReader(signed), errReader{}), 0)
	if err == nil {
		t.Fatal("want an error when the body cannot be read")
	}
}

// VerifyDKIMFields on the fields and body of txn.ReadMessage gives what
// VerifyDKIM gives on the raw message, with folded fields of thousands
// of lines after the signed ones.
func TestVerifyDKIMFields(t *testing.T) {
	key, record := newEd25519(5)
	otherKey, otherRecord := newEd25519(6)
	signed := sign(t, otherKey, "example.org", "s2", sign(t, key, "example.com", "s1", testMessage))
	head, body, _ := strings.Cut(signed, "\r\n\r\n")
	folded := head + "\r\nX-Folded: a" + strings.Repeat("\r\n bc", 5000) + "\r\n\r\n" + body
	r := &resolver.Fake{TXT: map[string][]string{
		"s1._domainkey.example.com": {record}, "s2._domainkey.example.org": {otherRecord}}}
	for name, msg := range map[string]string{"signed twice": signed, "with a folded field": folded} {
		t.Run(name, func(t *testing.T) {
			want, err := VerifyDKIM(context.Background(), r, strings.NewReader(msg), 0)
			if err != nil || len(want) != 2 || want[0].Result != "pass" || want[1].Result != "pass" {
				t.Fatalf("VerifyDKIM: %+v, %v; want two passes", want, err)
			}
			headers, sp, err := txn.ReadMessage(strings.NewReader(msg), 0, "")
			if err != nil {
				t.Fatal(err)
			}
			defer sp.Close()
			got, err := VerifyDKIMFields(context.Background(), r, headers, sp.Reader(), 0)
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("VerifyDKIMFields: %+v, %v; want %+v", got, err, want)
			}
		})
	}
}

// cancelingReader reads r and cancels its context once more than after
// bytes were read.
type cancelingReader struct {
	r      io.Reader
	after  int
	read   int
	cancel context.CancelFunc
}

func (c *cancelingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.read += n; c.read > c.after {
		c.cancel()
	}
	return n, err
}

// The body of a signed message is not read past the end of the context:
// with one signature and with several (each verified in its own
// goroutine), VerifyDKIMFields returns the context's error once it has
// read at most one piece more than when the context ended.
func TestVerifyDKIMFieldsStopsAtContextEnd(t *testing.T) {
	key, record := newEd25519(7)
	r := &resolver.Fake{TXT: map[string][]string{"s1._domainkey.example.com": {record}}}
	long := strings.Replace(testMessage, "Hello Bob.\r\n", strings.Repeat("Hello Bob.\r\n", 300_000), 1)
	once := sign(t, key, "example.com", "s1", long)
	// Signatures that do not verify still have the body hashed.
	crafted := "DKIM-Signature: v=1; a=ed25519-sha256; d=example.com; s=s1; h=from; bh=AAAA; b=AAAA\r\n"
	thrice := crafted + crafted + once
	for name, msg := range map[string]string{"one signature": once, "three signatures": thrice} {
		t.Run(name, func(t *testing.T) {
			headers, sp, err := txn.ReadMessage(strings.NewReader(msg), 0, "")
			if err != nil {
				t.Fatal(err)
			}
			defer sp.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			body := &cancelingReader{r: sp.Reader(), after: 256 << 10, cancel: cancel}
			got, err := VerifyDKIMFields(ctx, r, headers, body, 0)
			if !errors.Is(err, context.Canceled) || got != nil {
				t.Fatalf("got %+v, %v; want no results and context.Canceled", got, err)
			}
			if body.read > body.after+ctxio.Piece || int64(body.read) >= sp.Size() {
				t.Errorf("read %d of %d body bytes after the context ended at %d", body.read, sp.Size(), body.after)
			}
		})
	}
}

// Fields no signature names cannot change a result, wherever they are;
// a field of a signed name added below the signed one breaks the
// signature (the verifier takes the last one, RFC 6376 §5.4.2), one added
// above it does not.
func TestVerifyDKIMUnsignedFields(t *testing.T) {
	key, record := newEd25519(8)
	r := &resolver.Fake{TXT: map[string][]string{"s1._domainkey.example.com": {record}}}
	signed := sign(t, key, "example.com", "s1", testMessage)
	head, body, _ := strings.Cut(signed, "\r\n\r\n")
	junk := "X-Junk: a\r\n b\r\nReceived: from x\r\n"
	for _, tc := range []struct {
		name, msg, want string
	}{
		{"unsigned fields above and below", junk + head + "\r\n" + junk + "\r\n" + body, "pass"},
		{"signed name added above", "subject: other\r\n" + head + "\r\n\r\n" + body, "pass"},
		{"signed name added below", head + "\r\nSUBJECT: other\r\n\r\n" + body, "fail"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := VerifyDKIM(context.Background(), r, strings.NewReader(tc.msg), 0)
			if err != nil || len(got) != 1 || got[0].Result != tc.want {
				t.Fatalf("got %+v, %v; want one %s", got, err, tc.want)
			}
		})
	}
}
