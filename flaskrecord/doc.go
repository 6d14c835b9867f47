// Package flaskrecord reads and writes Flask-Session's server-side
// records: the value a Flask-Session app keeps under "session:<sid>" in
// Redis (or memcached, MongoDB, SQL), so that a Gin server and a Flask
// server can share server-side sessions.
//
// # Formats
//
// Flask-Session 0.3 to 0.6 store pickle.dumps(dict(session)): on Python
// 3.8 and later that is pickle protocol 4 (pickle.DEFAULT_PROTOCOL), on
// older Python 3 protocol 3, and in memcached protocol 0 (0.3 to 0.5 pass
// protocol 0 there on Python 3). The dict includes "_permanent" when the
// session is permanent, as a Flask session does. Flask-Session 0.7 and
// 0.8 store msgspec's MessagePack by default, or msgspec's JSON with
// SESSION_SERIALIZATION_FORMAT = "json", and read a record as msgpack,
// then JSON, then pickle, so that they still load the pickles of older
// versions (which cannot read msgpack or JSON).
//
// [Codec.Decode] reads in that same order. [Codec.Encode] writes the
// [Format] the Codec names: MsgPack (the zero Format) or JSON for an app
// on Flask-Session 0.7+, Pickle for one on 0.3 to 0.6 (and every version
// reads Pickle).
//
// # Pickle
//
// The reader runs the data opcodes of protocols 0 to 5 (dicts, lists,
// tuples, str, bytes, int of any size, float, bool, None, the memo,
// frames) and never imports or calls anything: the only globals it
// accepts are datetime.datetime, datetime.date, datetime.timezone and
// datetime.timedelta (the last two only as a datetime's tzinfo), and the
// _codecs.encode and bytes with which protocols 0 to 2 spell bytes. Each
// is interpreted from its pickled arguments. Any other global, BUILD,
// INST, OBJ, persistent IDs, sets, bytearrays, out-of-band buffers and
// Python 2 strs give a *[PickleRefusedError] naming the opcode or the
// global. So a record that would run code in Python (an os.system
// REDUCE) is refused here.
//
// The writer writes protocol 4 as CPython 3.11's C pickler does, byte for
// byte for the values Python itself gets from pickle.loads: FRAME
// opcodes of 64 KiB with larger str and bytes outside them, the memo
// (MEMOIZE after each str, bytes, list, dict, tuple and datetime part,
// and BINGET for the objects CPython shares: the empty and one-character
// latin-1 strs, the empty bytes, the datetime classes, timezone.utc), and
// the C pickler's batches of 1000 items. Python objects shared otherwise
// (the same list twice, or an interned str) are written twice: Python
// reads equal values, not the same bytes.
//
// # MessagePack and JSON
//
// Both are msgspec's encodings of dict(session). msgspec cannot be
// installed on Debian 12, where this package's tests run, so its formats
// are taken from its source (0.18's _core.c) and tested on golden records
// made with Debian's python3-msgpack and Python's json exactly as msgspec
// writes them (testdata/pyrecord.py says how), not by msgspec itself.
// In msgpack, ints take the smallest form (msgspec holds -2**63 to
// 2**64-1 only), floats are always float64, bytes are bin, tuples and
// lists arrays, aware datetimes the timestamp extension (-1) at UTC, and
// naive datetimes, dates and UUIDs their isoformat and canonical
// strings. In JSON, bytes are padded standard base64, datetimes
// isoformat strings with Z for UTC, floats msgspec's digits (1e16, 1e-06,
// 0.0001), NaN and infinities null; strings are UTF-8 with only the
// quote, the backslash and control characters escaped. msgspec's
// decoders give back strings, not datetimes or bytes, for all but the
// msgpack bin and timestamp, and this package does the same: a record
// read here holds what Flask-Session 0.7 would see.
//
// # Go values
//
// Decode returns, for the Python types:
//
//	str                  string (a pickle's lone surrogates, which are not text, as U+FFFD)
//	int                  int, or *big.Int beyond int's range
//	float                float64
//	bool, None           bool, nil
//	list                 []any
//	dict                 map[string]any (a key that is not a str is an error)
//	tuple (pickle)       taggedjson.Tuple
//	bytes                []byte
//	aware datetime       time.Time in UTC
//	naive datetime       time.Time in the location Naive (wall clock as stored)
//	date (pickle)        Date
//
// Sub-microsecond digits do not exist in Python: msgpack timestamps are
// rounded to the microsecond, as msgspec rounds them.
//
// Encode accepts those types, uuid.UUID (written as its string in msgpack
// and JSON, as msgspec writes it; refused in a pickle, where it needs
// BUILD), and the other Go kinds the way taggedjson.Marshal takes them:
// every int, uint and float kind (a float32 as its shortest digits),
// pointers, slices and arrays, maps with string or integer keys (written
// as strings), and structs and JSON or text marshalers through
// encoding/json. A time.Time in Naive is written as a naive datetime, any
// other as an aware one at UTC, to the microsecond; its year must be 1 to
// 9999. Dict keys are written sorted. template.HTML (markupsafe.Markup)
// is refused in every format: msgspec refuses Markup, and the pickle
// reader does not allow markupsafe's global. Invalid UTF-8 in a string is
// written as U+FFFD.
//
// # Limits and errors
//
// A Codec caps a record's size, its nesting and the number of values it
// holds (MaxSize, MaxDepth, MaxItems). The pickle reader counts a value
// each time the record refers to it, and stops as soon as more lists,
// dicts and marks wait on its stack than a value within MaxDepth needs
// (2*MaxDepth+2048), so a one-megabyte record of nested lists is refused
// after a few kilobytes, and a small pickle that refers to one list
// 2**100 times is refused, not expanded.
//
// Every error message starts with "flaskrecord: " and the format; the
// errors are [*SyntaxError], [*LimitError] (which unwraps to
// [ErrTooLarge], [ErrTooDeep] or [ErrTooManyItems]), [*PickleRefusedError],
// [*UnsupportedPythonError], [*UnsupportedTypeError],
// [*UnsupportedValueError], and errors wrapping [ErrNotDict].
package flaskrecord
