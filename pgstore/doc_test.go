package pgstore

import (
	"os"
	"strings"
	"testing"
)

// The package documentation shows the statements CreateTable runs.
func TestDocSchema(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var doc strings.Builder
	for line := range strings.Lines(string(src)) {
		doc.WriteString(strings.TrimPrefix(line, "//"))
	}
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, `"`, "")), " ") }
	text := norm(doc.String())
	for _, opts := range [][]Option{nil, {WithFlaskSessionTable()}} {
		c, err := newConfig(opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range tableSQL(c) {
			if !strings.Contains(text, norm(q)+";") {
				t.Errorf("doc.go does not show %s;", q)
			}
		}
	}
}
