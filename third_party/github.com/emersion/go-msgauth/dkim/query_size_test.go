package dkim

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
)

// rsaKeyRecord returns a key record for an RSA public key with a modulus
// of bits bits (not a real key: only its size matters here).
func rsaKeyRecord(t *testing.T, bits int) string {
	t.Helper()
	n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
	n.SetBit(n, 0, 1)
	der, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: n, E: 65537})
	if err != nil {
		t.Fatal(err)
	}
	return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
}

func TestParsePublicKey_rsaSize(t *testing.T) {
	for _, tc := range []struct {
		bits int
		ok   bool
	}{
		{1024, true},
		{4096, true},
		{8192, true},
		{8200, false},
		{16384, false},
		// Fits in one TCP DNS answer; verifying one signature with it
		// took 5 s of CPU.
		{360000, false},
	} {
		_, err := parsePublicKey(rsaKeyRecord(t, tc.bits))
		if tc.ok && err != nil {
			t.Errorf("%d bits: %v, want accepted", tc.bits, err)
		}
		if !tc.ok && (err == nil || !IsPermFail(err) || !strings.Contains(err.Error(), "key is too long")) {
			t.Errorf("%d bits: %v, want a permanent failure: key is too long", tc.bits, err)
		}
	}
}
