package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestWriteJSON(t *testing.T) {
	r := sample()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "{\n  \"since\": \"2025-03-01T00:00:00Z\",\n") {
		t.Errorf("not indented or since missing:\n%.200s", buf.String())
	}
	var back Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("round trip:\n%+v\nwant\n%+v", back, r)
	}

	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"advertisers", "articles", "authority_requests", "blocked_ips", "days", "observed", "rules", "since", "throttled", "top",
		"top_advertisers", "top_blocked_ips", "top_throttled", "totals", "until", "user_reports"}
	if !slices.Equal(keys, want) {
		t.Errorf("fields %v, want %v", keys, want)
	}
	totals := m["totals"].(map[string]any)
	dir := totals["by_direction"].([]any)[1].(map[string]any)
	if totals["messages"] != 10.0 || dir["direction"] != "outbound" || dir["messages"] != 1.0 {
		t.Errorf("totals %v", totals)
	}
	day := m["days"].([]any)[1].(map[string]any)
	if day["day"] != "2025-03-02T00:00:00Z" || day["total"] != 0.0 {
		t.Errorf("second day %v", day)
	}
	art := m["articles"].([]any)[0].(map[string]any)
	if art["key"] != "Art. 18" || art["name"] != "Art. 18 label" || art["n"] != 1.0 {
		t.Errorf("article %v", art)
	}
}
