package admin

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"milter91/internal/httplimit/httplimittest"
)

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files
// and returns their paths and a pool trusting the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "milter91 admin test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, pool
}

// startServe runs Serve on a loopback port and returns its address and
// a stop function that cancels it and returns Serve's result.
func startServe(t *testing.T, certFile, keyFile string) (string, func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, newHandler(t, Options{}), certFile, keyFile) }()
	return ln.Addr().String(), func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(20 * time.Second):
			t.Fatal("Serve did not return after cancel")
			return nil
		}
	}
}

// getHealth fetches url with the test token.
func getHealth(client *http.Client, url string) (*http.Response, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	return client.Do(req)
}

func TestServe(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	tlsClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	tests := []struct {
		name   string
		tls    bool
		scheme string
		client *http.Client
		status int    // 0: the request must fail
		errHas string // of the failed request
	}{
		{name: "plain HTTP", scheme: "http", client: &http.Client{}, status: 200},
		{name: "TLS round trip", tls: true, scheme: "https", client: tlsClient, status: 200},
		{name: "TLS, untrusted client", tls: true, scheme: "https", client: &http.Client{}, errHas: "certificate"},
		{name: "TLS, plain client", tls: true, scheme: "http", client: &http.Client{}, status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cf, kf := "", ""
			if tt.tls {
				cf, kf = certFile, keyFile
			}
			addr, stop := startServe(t, cf, kf)
			resp, err := getHealth(tt.client, tt.scheme+"://"+addr+"/v1/health")
			switch {
			case tt.errHas != "":
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Errorf("request error %v, want one about %q", err, tt.errHas)
				}
			case err != nil:
				t.Errorf("request: %v", err)
			default:
				resp.Body.Close()
				if https := tt.scheme == "https"; resp.StatusCode != tt.status || https != (resp.TLS != nil) {
					t.Errorf("status %d, TLS %v; want %d, TLS %v", resp.StatusCode, resp.TLS != nil, tt.status, https)
				}
			}
			if tt.client.Transport != nil {
				tt.client.CloseIdleConnections()
			}
			if err := stop(); err != nil {
				t.Errorf("Serve after cancel: %v, want nil", err)
			}
		})
	}
}

func TestServeErrors(t *testing.T) {
	certFile, keyFile, _ := selfSigned(t)
	tests := []struct {
		name      string
		cert, key string
		closed    bool // the listener is closed before Serve
		errHas    string
	}{
		{name: "cert without key", cert: certFile, errHas: "both a certificate and a key"},
		{name: "key without cert", key: keyFile, errHas: "both a certificate and a key"},
		{name: "key as cert", cert: keyFile, key: keyFile, errHas: "admin: TLS"},
		{name: "missing files", cert: filepath.Join(t.TempDir(), "none.pem"), key: keyFile, errHas: "no such file"},
		{name: "closed listener", closed: true, errHas: "admin: serve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			if tt.closed {
				ln.Close()
			}
			err = Serve(context.Background(), ln, newHandler(t, Options{}), tt.cert, tt.key)
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("Serve error %v, want one containing %q", err, tt.errHas)
			}
		})
	}
}

// TestServeGraceful checks that a request in flight when ctx is
// cancelled still gets its answer.
func TestServeGraceful(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	h := newHandler(t, Options{Health: func(context.Context) Health {
		close(started)
		<-release
		return Health{Status: HealthOK}
	}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h, "", "") }()
	answer := make(chan int, 1)
	go func() {
		resp, err := getHealth(&http.Client{}, "http://"+ln.Addr().String()+"/v1/health")
		if err != nil {
			answer <- 0
			return
		}
		resp.Body.Close()
		answer <- resp.StatusCode
	}()
	<-started
	cancel()
	close(release)
	if code := <-answer; code != 200 {
		t.Errorf("request in flight at shutdown answered %d, want 200", code)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

// An idle keep-alive connection is closed after the idle timeout: a
// client cannot hold connections (file descriptors) open for ever.
func TestServeClosesIdleConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := serveLimits
	l.Idle = 100 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, newHandler(t, Options{}), "", "", l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	req := "GET /v1/health HTTP/1.1\r\nHost: admin.test\r\nAuthorization: Bearer " + testToken + "\r\n\r\n"
	httplimittest.IdleClosed(t, ln.Addr().String(), req, l.Idle)
}
