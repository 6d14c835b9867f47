package taggedjson

// parseFlat is unmarshalObjectString's fast path for the sessions most
// apps keep: one object whose keys are plain strings and whose values are
// plain strings, integers that fit an int64, true, false, null, or flat
// lists of those. "Plain" is printable ASCII without escapes. Anything
// else (escapes, non-ASCII, floats, nested objects, tags, lists in lists)
// reports ok false, and the full decoder starts over; for what it does
// accept the result is the full decoder's (FuzzParseFlat).
//
// It keeps its position in a local variable and its members on the stack,
// where the full decoder keeps state in a pooled struct for tags, key
// order and depth.
func parseFlat(s string) (m map[string]any, ok bool) {
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return nil, false
	}
	if i = skipWS(s, i+1); i < len(s) && s[i] == '}' {
		return map[string]any{}, skipWS(s, i+1) == len(s)
	}
	// Members wait on the stack until the object is known to be flat, so
	// that a session the full decoder must read costs no map here.
	var buf [16]kv
	pairs := buf[:0]
	for {
		k, j, ok := plainString(s, i)
		// A key with a leading space may be a tag: the full decoder's job.
		if !ok || k != "" && k[0] == ' ' {
			return nil, false
		}
		if i = skipWS(s, j); i >= len(s) || s[i] != ':' {
			return nil, false
		}
		v, j, ok := flatValue(s, skipWS(s, i+1), true)
		if !ok {
			return nil, false
		}
		if m != nil {
			m[k] = v
		} else if pairs = append(pairs, kv{k, v}); len(pairs) == len(buf) {
			m = pairMap(pairs, 2*len(buf))
		}
		if i = skipWS(s, j); i >= len(s) {
			return nil, false
		}
		switch s[i] {
		case ',':
			i = skipWS(s, i+1)
		case '}':
			if skipWS(s, i+1) != len(s) {
				return nil, false
			}
			if m == nil {
				m = pairMap(pairs, len(pairs))
			}
			return m, true
		default:
			return nil, false
		}
	}
}

// pairMap makes a map of pairs, the last of duplicate keys winning, with
// room for size members.
func pairMap(pairs []kv, size int) map[string]any {
	m := make(map[string]any, size)
	for _, p := range pairs {
		m[p.k] = p.v
	}
	return m
}

// flatValue parses a plain string, an integer of up to 18 digits, true,
// false, null, or (if list) a list of those, starting at s[i].
func flatValue(s string, i int, list bool) (any, int, bool) {
	if i >= len(s) {
		return nil, i, false
	}
	switch c := s[i]; {
	case c == '"':
		return plainString(s, i)
	case c == '-' || '0' <= c && c <= '9':
		return flatInt(s, i)
	case c == 't':
		return true, i + 4, len(s)-i >= 4 && s[i:i+4] == "true"
	case c == 'f':
		return false, i + 5, len(s)-i >= 5 && s[i:i+5] == "false"
	case c == 'n':
		return nil, i + 4, len(s)-i >= 4 && s[i:i+4] == "null"
	case c == '[' && list:
		return flatList(s, i)
	}
	return nil, i, false
}

// flatList parses a list of flat scalars; up to 16 items are gathered on
// the stack, so the list is one allocation of its exact length.
func flatList(s string, i int) (any, int, bool) {
	var buf [16]any
	items := buf[:0]
	if i = skipWS(s, i+1); i < len(s) && s[i] == ']' {
		return []any{}, i + 1, true
	}
	for {
		v, j, ok := flatValue(s, i, false)
		if !ok || len(items) == len(buf) {
			return nil, i, false
		}
		items = append(items, v)
		if i = skipWS(s, j); i >= len(s) {
			return nil, i, false
		}
		switch s[i] {
		case ',':
			i = skipWS(s, i+1)
		case ']':
			l := make([]any, len(items))
			copy(l, items)
			return l, i + 1, true
		default:
			return nil, i, false
		}
	}
}

// plainString returns the string at s[i] if it is printable ASCII without
// escapes, as a substring of s.
func plainString(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", i, false
	}
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return s[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return "", j, false
		}
	}
	return "", len(s), false
}

// flatInt parses an integer in JSON's grammar of up to 18 digits, which
// always fits an int64, as the full decoder's numberValue does.
func flatInt(s string, i int) (any, int, bool) {
	j := i
	neg := s[j] == '-'
	if neg {
		j++
	}
	start := j
	var n int64
	for j < len(s) && '0' <= s[j] && s[j] <= '9' {
		n = n*10 + int64(s[j]-'0')
		j++
	}
	digits := j - start
	switch {
	case digits == 0 || digits > 18 || digits > 1 && s[start] == '0':
		return nil, i, false
	case j < len(s) && (s[j] == '.' || s[j] == 'e' || s[j] == 'E'):
		return nil, i, false // a float
	}
	if neg {
		n = -n
	}
	return int(n), j, true
}

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}
