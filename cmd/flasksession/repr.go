package main

import (
	"fmt"
	"html/template"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/ginflask/flasksession/internal/pyrepr"
	"github.com/ginflask/flasksession/taggedjson"
	"github.com/google/uuid"
)

// goType names the Go type a decoded value has.
func goType(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case taggedjson.Tuple:
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
	case string:
		b.WriteString(pyStr(v))
	case []any:
		b.WriteByte('[')
		writeItems(b, v)
		b.WriteByte(']')
	case taggedjson.Tuple:
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
		// Numbers, bool and None: repr() is str().
		if s, ok := pyrepr.Str(v); ok {
			b.WriteString(s)
		} else {
			fmt.Fprintf(b, "%#v", v)
		}
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

// pyStr is Python's repr of a str.
func pyStr(s string) string { return pyrepr.StrRepr(s) }

// pyBytes is Python's repr of bytes.
func pyBytes(p []byte) string { return pyrepr.BytesRepr(string(p)) }

// pyFloat is Python's repr of a float.
func pyFloat(f float64) string { return string(pyrepr.AppendFloat(nil, f, 64)) }
