package admin

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Client calls the admin API of a running daemon: what `milter91 learn`
// uses, so that learning reaches the daemon's classifier whatever its
// store.
type Client struct {
	// Base is the API's root, "http://127.0.0.1:8091" or
	// "https://mx.example.net:8443".
	Base  string
	Token []byte
	HTTP  *http.Client
}

// NewClient returns a Client for the daemon listening on listen
// (admin.listen, HOST:PORT) with token, over HTTPS trusting the
// certificate in certFile when it is set (admin.tls_cert), else plain
// HTTP. Each request is bounded by timeout.
func NewClient(listen string, token []byte, certFile string, timeout time.Duration) (*Client, error) {
	c := &Client{Base: "http://" + listen, Token: token, HTTP: &http.Client{Timeout: timeout}}
	if certFile == "" {
		return c, nil
	}
	pem, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("admin: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("admin: %s holds no PEM certificate", certFile)
	}
	c.Base = "https://" + listen
	c.HTTP.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}
	return c, nil
}

// Learn posts one message to POST /v1/learn as class ("spam" or "ham"),
// with rcpt's scope too when rcpt is not "". An answer other than 200 is
// an error with the API's reason.
func (c *Client) Learn(ctx context.Context, msg []byte, class, rcpt string) (LearnAnswer, error) {
	q := url.Values{"class": {class}}
	if rcpt != "" {
		q.Set("recipient", rcpt)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Base+"/v1/learn?"+q.Encode(), bytes.NewReader(msg))
	if err != nil {
		return LearnAnswer{}, err
	}
	req.Header.Set("Content-Type", "message/rfc822")
	req.Header.Set("Authorization", "Bearer "+string(c.Token))
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return LearnAnswer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJSONBody))
	if err != nil {
		return LearnAnswer{}, err
	}
	if resp.StatusCode != http.StatusOK {
		var e errorBody
		if json.Unmarshal(body, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(body[:min(len(body), 200)]))
		}
		return LearnAnswer{}, fmt.Errorf("admin API: %s: %s", resp.Status, e.Error)
	}
	var out LearnAnswer
	if err := json.Unmarshal(body, &out); err != nil {
		return LearnAnswer{}, errors.New("admin API: an answer that is not JSON")
	}
	return out, nil
}
