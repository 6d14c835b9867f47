package taggedjson

import (
	"testing"
	"time"
)

// nonASCIIDates and nonASCIIUUIDs: Python's int() reads decimal digits of
// any script and isdigit() also takes superscripts, so Flask parses these
// (answers from werkzeug 3.1's parse_date and Python 3.11's uuid.UUID).
var nonASCIIDates = []struct {
	in   string
	want time.Time // zero: None
}{
	{"\u0661\u0664 Nov \uff12\uff10\uff12\uff13 22:13:20 GMT", dateAt},   // Arabic-Indic 14, fullwidth 2023
	{"14 Nov 2023 22:13:20 \u0661\u0664", dateAt.Add(-14 * time.Minute)}, // zone +0014
	{"14 Nov 2023 \u0662\u0662:13:20", dateAt},
	{"14 Nov \u00b2023 22:13:20 2023", time.Time{}}, // ² is a digit to isdigit(), not to int()
	{"\u00b9\u0664 Nov 2023 22:13:20", time.Time{}},
	{"14 Nov 2023 22:13:2\U0001d7d8", dateAt}, // mathematical double-struck 0
}

var nonASCIIUUIDs = []struct {
	in   string
	want string // "": invalid
}{
	{"\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661111111111111111111111111", "11111111-1111-1111-1111-111111111111"},
	{"\uff11" + "2345678123456781234567812345678", "12345678-1234-5678-1234-567812345678"},
	{"\u00b2" + "2345678123456781234567812345678", ""},
}

var dateAt = time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)

func TestNonASCIIDigits(t *testing.T) {
	for _, tt := range nonASCIIDates {
		got, ok, err := parseDate(tt.in)
		if err != nil || ok != !tt.want.IsZero() || ok && !got.Equal(tt.want) {
			t.Errorf("parseDate(%q) = %v, %v, %v; want %v", tt.in, got, ok, err, tt.want)
		}
	}
	for _, tt := range nonASCIIUUIDs {
		u, ok := pyUUID(tt.in)
		if ok != (tt.want != "") || ok && u.String() != tt.want {
			t.Errorf("pyUUID(%q) = %v, %v; want %q", tt.in, u, ok, tt.want)
		}
	}
	for r, want := range map[rune]int{'7': 7, 'a': -1, '\u0667': 7, '\uff10': 0, '\U0001d7ff': 9, '\u00b2': -1, '\u2460': -1} {
		if got := pyDecimal(r); got != want {
			t.Errorf("pyDecimal(%q) = %d, want %d", r, got, want)
		}
	}
	for r, want := range map[rune]bool{'7': true, '\u0667': true, '\u00b2': true, '\u00b9': true, '\u2460': true, '\u00bd': false, 'x': false} {
		if got := pyIsDigit(r); got != want {
			t.Errorf("pyIsDigit(%q) = %v, want %v", r, got, want)
		}
	}
}
