package taggedjson

import (
	"errors"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// This file ports werkzeug.http.parse_date, which is Python's
// email.utils.parsedate_to_datetime (email._parseaddr._parsedate_tz) plus
// "no zone means UTC". It is lenient in odd ways; matching it keeps a Go
// server and a Flask server agreeing on every " d" value, including
// Python's int() and isdigit() taking non-ASCII digits (pyDecimal,
// pyIsDigit).

var errDateOverflow = errors.New("date field out of range for Python (OverflowError)")

var monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul",
	"aug", "sep", "oct", "nov", "dec",
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"}

var dayNames = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// Offsets in Python's odd HHMM-as-integer form.
var zoneOffsets = map[string]int64{"UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
	"AST": -400, "ADT": -300, "EST": -500, "EDT": -400, "CST": -600,
	"CDT": -500, "MST": -700, "MDT": -600, "PST": -800, "PDT": -700}

// pyInt is the result of Python's int(str) for the small range we care
// about; huge marks magnitudes of at least 10**18 (sign kept in v).
type pyInt struct {
	v    int64
	huge bool
}

// pyAtoi is Python's int(s) for a string without whitespace: decimal
// digits of any script, underscores between them. ok is false where Python
// raises ValueError (including more than 4300 digits).
func pyAtoi(s string) (n pyInt, ok bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	digits, sig := 0, 0
	prevDigit := false
	for _, r := range s {
		if r == '_' {
			if !prevDigit {
				return n, false
			}
			prevDigit = false
			continue
		}
		d := pyDecimal(r)
		if d < 0 {
			return n, false
		}
		prevDigit = true
		digits++
		if sig > 0 || d != 0 {
			sig++
		}
		if sig <= 18 {
			n.v = n.v*10 + int64(d)
		}
	}
	if !prevDigit || digits > maxIntDigits {
		return pyInt{}, false
	}
	if sig > 18 {
		n = pyInt{v: 1, huge: true}
	}
	if neg {
		n.v = -n.v
	}
	return n, true
}

// pyDecimal is the value of r as a decimal digit (Unicode category Nd, any
// script, as Python's int() reads it), or -1.
func pyDecimal(r rune) int {
	if r < utf8.RuneSelf {
		if r >= '0' && r <= '9' {
			return int(r - '0')
		}
		return -1
	}
	// Nd digits come in runs of ten, 0 to 9; the table's ranges are whole
	// runs, so the offset in its range gives the value.
	for _, rg := range unicode.Nd.R16 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	return -1
}

// pyIsDigit is Python's str.isdigit for one character: the decimal digits
// plus the other characters with a digit value (superscripts, circled
// digits...), which int() still refuses.
func pyIsDigit(r rune) bool {
	return pyDecimal(r) >= 0 || unicode.Is(pyOtherDigits, r)
}

// pyOtherDigits are the characters with Unicode Numeric_Type=Digit that
// are not decimal digits, from Python 3.11's unicodedata (Unicode 14):
// [c for c in all chars if c.isdigit() and not c.isdecimal()].
var pyOtherDigits = &unicode.RangeTable{
	R16: []unicode.Range16{
		{0xb2, 0xb3, 1}, {0xb9, 0xb9, 1}, {0x1369, 0x1371, 1}, {0x19da, 0x19da, 1}, {0x2070, 0x2070, 1},
		{0x2074, 0x2079, 1}, {0x2080, 0x2089, 1}, {0x2460, 0x2468, 1}, {0x2474, 0x247c, 1}, {0x2488, 0x2490, 1},
		{0x24ea, 0x24ea, 1}, {0x24f5, 0x24fd, 1}, {0x24ff, 0x24ff, 1}, {0x2776, 0x277e, 1}, {0x2780, 0x2788, 1},
		{0x278a, 0x2792, 1},
	},
	R32: []unicode.Range32{
		{0x10a40, 0x10a43, 1}, {0x10e60, 0x10e68, 1}, {0x11052, 0x1105a, 1}, {0x1f100, 0x1f10a, 1},
	},
	LatinOffset: 2,
}

// fitsCInt reports whether Python could pass n as a C int.
func (n pyInt) fitsCInt() bool {
	return !n.huge && n.v >= math.MinInt32 && n.v <= math.MaxInt32
}

// pyFields is Python's str.split() with no arguments.
func pyFields(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		if pyIsSpace(r) {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// pyUpperZone is Python's str.upper() as far as it can turn a string into
// ASCII: ASCII letters plus the few non-ASCII letters that upper-case to
// ASCII (so "EſT" is EST, as in Python).
func pyUpperZone(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r == 0xdf:
			b.WriteString("SS")
		case r == 0x131:
			b.WriteByte('I')
		case r == 0x17f:
			b.WriteByte('S')
		case r == 0xfb00:
			b.WriteString("FF")
		case r == 0xfb01:
			b.WriteString("FI")
		case r == 0xfb02:
			b.WriteString("FL")
		case r == 0xfb03:
			b.WriteString("FFI")
		case r == 0xfb04:
			b.WriteString("FFL")
		case r == 0xfb05, r == 0xfb06:
			b.WriteString("ST")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// parseDate returns ok=false where werkzeug's parse_date returns None, and
// an error where Python raises OverflowError (which Flask does not catch).
func parseDate(data string) (t time.Time, ok bool, err error) {
	if data == "" {
		return
	}
	f := pyFields(data)
	if len(f) == 0 {
		return
	}
	if strings.HasSuffix(f[0], ",") || slices.Index(dayNames, asciiLower(f[0])) >= 0 {
		f = f[1:]
	} else if i := strings.LastIndexByte(f[0], ','); i >= 0 {
		f[0] = f[0][i+1:]
	}
	if len(f) == 3 { // RFC 850 date, deprecated
		if stuff := strings.Split(f[0], "-"); len(stuff) == 3 {
			f = append(stuff, f[1:]...)
		}
	}
	if len(f) == 4 {
		s := f[3]
		i := strings.IndexByte(s, '+')
		if i == -1 {
			i = strings.IndexByte(s, '-')
		}
		if i > 0 {
			f = append(f[:3:3], s[:i], s[i:])
		} else {
			f = append(f, "") // dummy zone
		}
	}
	if len(f) < 5 {
		return
	}
	dd, mm, yy, tm, tz := f[0], f[1], f[2], f[3], f[4]
	if dd == "" || mm == "" || yy == "" {
		return
	}
	mm = asciiLower(mm)
	mon := slices.Index(monthNames, mm)
	if mon < 0 {
		dd, mm = mm, asciiLower(dd)
		if mon = slices.Index(monthNames, mm); mon < 0 {
			return
		}
	}
	mon++
	if mon > 12 {
		mon -= 12
	}
	dd = strings.TrimSuffix(dd, ",")
	if i := strings.IndexByte(yy, ':'); i > 0 {
		yy, tm = tm, yy
	}
	if strings.HasSuffix(yy, ",") {
		if yy = yy[:len(yy)-1]; yy == "" {
			return
		}
	}
	if r, _ := utf8.DecodeRuneInString(yy); !pyIsDigit(r) {
		yy, tz = tz, yy
	}
	tm = strings.TrimSuffix(tm, ",")
	var sh, smin, ss string
	switch p := strings.Split(tm, ":"); {
	case len(p) == 2:
		sh, smin, ss = p[0], p[1], "0"
	case len(p) == 3:
		sh, smin, ss = p[0], p[1], p[2]
	case len(p) == 1 && strings.Contains(tm, "."):
		switch p = strings.Split(tm, "."); len(p) {
		case 2:
			sh, smin, ss = p[0], p[1], "0"
		case 3:
			sh, smin, ss = p[0], p[1], p[2]
		default:
			return
		}
	default:
		return
	}
	var year, day, hour, minute, sec pyInt
	for _, x := range []struct {
		dst *pyInt
		s   string
	}{{&year, yy}, {&day, dd}, {&hour, sh}, {&minute, smin}, {&sec, ss}} {
		if *x.dst, ok = pyAtoi(x.s); !ok {
			return
		}
	}
	ok = false
	if !year.huge && year.v < 100 {
		if year.v > 68 {
			year.v += 1900
		} else {
			year.v += 2000
		}
	}

	// The zone: None means naive, which werkzeug takes as UTC.
	tz = pyUpperZone(tz)
	hasZone := true
	var zone pyInt
	if o, found := zoneOffsets[tz]; found {
		zone.v = o
	} else if zone, hasZone = pyAtoi(tz); hasZone && !zone.huge && zone.v == 0 && strings.HasPrefix(tz, "-") {
		hasZone = false
	}
	var offset int64 // seconds east of UTC
	if hasZone && (zone.huge || zone.v != 0) {
		if zone.huge || zone.v > 1e15 || zone.v < -1e15 {
			return t, false, errDateOverflow // timedelta(seconds=...) overflows
		}
		a, sign := zone.v, int64(1)
		if a < 0 {
			a, sign = -a, -1
		}
		offset = sign * ((a/100)*3600 + (a%100)*60)
		days := offset / 86400
		if offset%86400 != 0 && offset < 0 {
			days--
		}
		if days > 999999999 || days < -999999999 {
			return t, false, errDateOverflow
		}
		if offset <= -86400 || offset >= 86400 {
			return // timezone(): ValueError
		}
	}

	// datetime(year, month, day, hour, minute, second)
	for _, n := range []pyInt{year, day, hour, minute, sec} {
		if !n.fitsCInt() {
			return t, false, errDateOverflow
		}
	}
	if year.v < 1 || year.v > 9999 || day.v < 1 || day.v > int64(daysIn(time.Month(mon), int(year.v))) ||
		hour.v < 0 || hour.v > 23 || minute.v < 0 || minute.v > 59 || sec.v < 0 || sec.v > 59 {
		return
	}
	t = time.Date(int(year.v), time.Month(mon), int(day.v), int(hour.v), int(minute.v), int(sec.v), 0, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true, nil
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
