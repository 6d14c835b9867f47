package main

import (
	"fmt"
	"html/template"
	"maps"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ginflask/flasksession/flaskcookie"
	"github.com/ginflask/flasksession/taggedjson"
	"github.com/google/uuid"
)

// goType names the Go type a decoded value has.
func goType(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case flaskcookie.Tuple:
		return "flasksession.Tuple"
	case map[string]any:
		return "map[string]any"
	case []any:
		return "[]any"
	case []byte:
		return "[]byte"
	}
	return reflect.TypeOf(v).String()
}

// pyRepr writes v as Python's repr() shows the value Flask loads.
func pyRepr(v any) string {
	var b strings.Builder
	writeRepr(&b, v)
	return b.String()
}

func writeRepr(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("None")
	case string:
		b.WriteString(pyStr(v))
	case bool:
		if v {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case *big.Int:
		b.WriteString(v.String())
	case float64:
		b.WriteString(pyFloat(v))
	case []any:
		b.WriteByte('[')
		writeItems(b, v)
		b.WriteByte(']')
	case flaskcookie.Tuple:
		b.WriteByte('(')
		writeItems(b, v)
		if len(v) == 1 {
			b.WriteByte(',')
		}
		b.WriteByte(')')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range slices.Sorted(maps.Keys(v)) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyStr(k))
			b.WriteString(": ")
			writeRepr(b, v[k])
		}
		b.WriteByte('}')
	case []byte:
		b.WriteString(pyBytes(v))
	case template.HTML:
		b.WriteString("Markup(" + pyStr(string(v)) + ")")
	case uuid.UUID:
		b.WriteString("UUID('" + v.String() + "')")
	case time.Time:
		t := v.UTC()
		fmt.Fprintf(b, "datetime.datetime(%d, %d, %d, %d, %d", t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute())
		if us := t.Nanosecond() / 1000; us != 0 {
			fmt.Fprintf(b, ", %d, %d", t.Second(), us)
		} else if t.Second() != 0 {
			fmt.Fprintf(b, ", %d", t.Second())
		}
		b.WriteString(", tzinfo=datetime.timezone.utc)")
	default:
		fmt.Fprintf(b, "%#v", v)
	}
}

func writeItems(b *strings.Builder, items []any) {
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		writeRepr(b, it)
	}
}

// pyStr is Python's repr of a str: single quotes unless the text holds a
// single quote and no double quote.
func pyStr(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case r < 0x100 && !isPrintable(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000 && !isPrintable(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		case !isPrintable(r):
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// isPrintable approximates Python's str.isprintable for one character.
func isPrintable(r rune) bool {
	return r == ' ' || (unicode.IsPrint(r) && r != 0xad)
}

// pyBytes is Python's repr of bytes.
func pyBytes(p []byte) string {
	q := byte('\'')
	if slices.Contains(p, '\'') && !slices.Contains(p, '"') {
		q = '"'
	}
	var b strings.Builder
	b.WriteString("b")
	b.WriteByte(q)
	for _, c := range p {
		switch {
		case c == q || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// pyFloat is Python's repr of a float, which differs from Flask's JSON
// only in spelling NaN and the infinities.
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return taggedjson.FormatFloat(f)
}
