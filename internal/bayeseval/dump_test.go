package bayeseval

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"

	"milter91/decree"
	"milter91/internal/bayes"
	"milter91/internal/mailbox"
	"milter91/internal/txn"
)

func TestDump(t *testing.T) {
	file := os.Getenv("DUMP")
	if file == "" {
		t.Skip()
	}
	mailbox.Walk(file, nil, 1<<26, func(m mailbox.Message) error {
		h, b, _ := txn.ReadMessage(bytes.NewReader(m.Data), 0, "")
		tr := &txn.Transaction{Headers: h, Body: b}
		body := decree.ReadBody(context.Background(), tr, 0, bayes.MaxTextBytes)
		for _, x := range body.Texts() {
			fmt.Printf("--- text html=%v\n%s\n", x.HTML, x.Text)
		}
		fmt.Println(bayes.ExtractNames(h, body).Tokens())
		return nil
	})
}
