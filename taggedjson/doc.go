// Package taggedjson reads and writes the JSON dialect of Flask's session
// serializer (flask.json.tag.TaggedJSONSerializer), producing exactly the
// text Flask writes, byte for byte.
//
// # The text
//
// Flask writes compact JSON (separators "," and ":") with object keys sorted
// by code point at every level, ASCII only (other characters as lowercase
// \uXXXX escapes, surrogate pairs beyond the BMP; DEL as \u007f), the short
// escapes \" \\ \n \r \t \b \f, and no escaping of / < > &. Floats are
// written as Python's repr (2.0, 1e-05, 1e+16, -0.0; NaN, Infinity and
// -Infinity as bare tokens), integers exactly, whatever their size.
//
// # Tags
//
// Python types JSON lacks travel as one-key objects whose key is a tag:
//
//	{" t": [...]}        tuple             Tuple
//	{" b": "YWI="}       bytes             []byte (standard base64, padded)
//	{" m": "<b>x</b>"}   markupsafe.Markup template.HTML
//	{" u": "32 hex"}     uuid.UUID         uuid.UUID
//	{" d": "Tue, 14 Nov 2023 22:13:20 GMT"} datetime  time.Time (UTC, whole seconds)
//	{" di": {" t__": v}} a one-key dict whose key is itself a tag name
//
// A flash message list, for example, is {"_flashes":[{" t":["message","Hello"]}]}.
// On decoding, objects are untagged bottom-up, and only an object with
// exactly one key that is a registered tag is replaced.
//
// # Go types
//
// [Unmarshal] returns:
//
//	JSON object            map[string]any
//	JSON array             []any
//	string                 string
//	true, false            bool
//	null                   nil
//	integer literal        int, or *big.Int when it does not fit (never a float)
//	number with . or e     float64 (Flask's 2.0 stays a float64, 2 an int)
//	NaN, Infinity          float64 NaN, ±Inf (Python's json accepts them)
//	tagged values          Tuple, []byte, template.HTML, uuid.UUID, time.Time
//
// A " d" value Flask cannot parse decodes to nil, as Flask gives None; one
// with a zone offset is converted to UTC. Tag content Flask would fail on
// gives a *[TagError]. As in Flask 3, a failing tagged value that a later
// duplicate key replaces does no harm (Flask 2.2 fails on it).
//
// [Marshal] accepts the types above plus: every int, uint and float kind
// (a float32 is written with the shortest digits that identify it as a
// float32), json.Number, big.Int, pointers (nil is null), slices and arrays
// of anything (a nil slice is [], a []byte-kind slice is bytes), maps with
// string or integer keys (integer keys are sorted as numbers, as Python
// sorts an int-keyed dict, then written as strings; a nil map is {}),
// named types of all these kinds, and structs, json.Marshaler and
// encoding.TextMarshaler values, which go through encoding/json and so
// arrive in Flask as plain dicts and strings (struct tags apply; a time.Time
// or []byte field inside a struct becomes the string encoding/json writes).
// A time.Time is converted to UTC and truncated to whole seconds, as
// werkzeug's http_date does; its year must be within 100..9999. Strings that are not valid UTF-8 are written
// with U+FFFD in place of the bad bytes, since a Python str cannot hold
// them. Anything else (channels, functions, complex numbers,
// unsafe.Pointer) is an *[UnsupportedTypeError] naming the path to the
// value, such as cart[2].price.
//
// # Differences from Flask
//
// Flask never writes text that reaches these; they only matter for forged
// (validly signed) cookies or unusual Go values. A differential test
// (TestFlaskDiff) runs tens of thousands of generated inputs through both
// this package and real Flask 3.1 and 2.2, and allows a difference only where
// Flask, changed to behave as the first two items below say (and as Flask
// 3 untags, for 2.2), agrees with this package:
//
//   - Python's json keeps a lone UTF-16 surrogate (an unpaired \ud800
//     escape) in its str; a Go string cannot hold one, so it decodes to
//     U+FFFD and is written back as \ufffd. This happens as the text is
//     read: object keys that differ only in lone surrogates are the same
//     key here, and the last one wins, as with any duplicate key.
//   - Flask builds {" m": x} for a non-string x from Python's str(x). For
//     None, bools, numbers and UUIDs this package does the same; for a
//     list, dict, tuple, bytes or datetime (Python's repr) it gives a
//     *TagError instead, also where another tag would consume the Markup
//     (Flask reads {" t": {" m": [1]}} as the tuple of the characters of
//     "[1]").
//   - Marshal refuses a time.Time before the year 100 (UTC), including the
//     zero time.Time: Flask would write it, but its date parser reads a year
//     below 100 as a two-digit year (0001 comes back as 2001).
//
// Every error message starts with "taggedjson: ", and every error can be
// inspected with errors.As or errors.Is.
package taggedjson
