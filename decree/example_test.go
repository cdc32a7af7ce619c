package decree_test

import (
	"fmt"
	"strings"

	"milter91/decree"
	"milter91/internal/txn"
)

// An outbound newsletter checked against Decree 91/2020: the label at the
// start of the Subject (Art. 18), the opt-out block at the end of the text
// and its refusal channels (Art. 20.1, 20.2), the advertiser information
// just before it (Art. 19), and the advertiser id. This one gives no
// telephone number to refuse by: the rule D91_OUT_CHANNELS would reject
// it.
func ExampleAnalyzer_Analyze() {
	a, err := decree.NewAnalyzer(decree.DefaultConfig())
	if err != nil {
		panic(err)
	}
	raw := "From: Shop <khuyenmai@news.shop.example.com>\r\n" +
		"Subject: [QC] Giảm giá 50% tuần này\r\n" +
		"List-Unsubscribe: <mailto:unsub@shop.example.com>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" +
		"Mua ngay hôm nay!\r\n" +
		"\r\n" +
		"Công ty Ví Dụ, 12 Lê Lợi, Quận 1, TP. Hồ Chí Minh\r\n" +
		"Điện thoại: 028 3822 1234, email: lienhe@shop.example.com\r\n" +
		"Để từ chối nhận quảng cáo, bấm https://shop.example.com/huy hoặc gửi email tới unsub@shop.example.com.\r\n"
	headers, body, err := txn.ReadMessage(strings.NewReader(raw), 0, "")
	if err != nil {
		panic(err)
	}
	defer body.Close()
	t := &txn.Transaction{Headers: headers, Body: body, Rcpts: []string{"khach@example.net"}}
	r := a.Analyze(t, nil, "news.shop.example.com")
	fmt.Println("advertising:", r.Advertising, "label:", r.Label, r.LabelText)
	fmt.Println("opt-out:", r.OptOut, "channels:", r.Channels, "missing:", r.MissingChannels)
	fmt.Println("advertiser information:", r.Info, "missing:", r.MissingInfo)
	fmt.Println("advertiser:", r.Advertiser, "refusal mailboxes:", r.RefusalMailboxes)
	// Output:
	// advertising: true label: ok [QC]
	// opt-out: true channels: [web email] missing: [phone]
	// advertiser information: [name phone email address] missing: []
	// advertiser: example.com refusal mailboxes: [unsub@shop.example.com]
}
