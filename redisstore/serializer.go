package redisstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	gsessions "github.com/gorilla/sessions"
)

// The record keys the flasksession middleware stores in a session's
// Values: flasksession.RecordDataKey and flasksession.RecordSavedAtKey.
// They are repeated here, checked by a test, so that the middleware's
// tests can use this package without an import cycle.
const (
	recordDataKey    = "flasksession.data"
	recordSavedAtKey = "flasksession.saved_at"
)

// ErrNotRecord is returned by Serializer.Serialize for session values the
// flasksession middleware did not write (another user of the same store).
var ErrNotRecord = errors.New("flasksession: redisstore.Serializer stores only sessions saved by the flasksession middleware; use a separate store (or redistore.GobSerializer) for other sessions")

// ErrBadRecord matches the errors of Serializer.Deserialize for Redis
// values that are not a record of the form {"saved_at":N,"session":{...}}.
var ErrBadRecord = errors.New("flasksession: the Redis value is not a flasksession record")

// RecordError is the error Serializer.Deserialize returns for a value it
// cannot read; it matches ErrBadRecord. The middleware then gives the
// request an empty session, reports the error to Config.ErrorHandler (as
// a rejected session, not a store failure), and on the next save stores
// the session under a new ID and deletes the unreadable record.
type RecordError struct {
	Reason string // what is wrong with the value
}

func (e *RecordError) Error() string { return ErrBadRecord.Error() + ": " + e.Reason }

// Is makes a *RecordError match ErrBadRecord.
func (e *RecordError) Is(target error) bool { return target == ErrBadRecord }

// BadRecord tells the flasksession middleware that the record is there but
// unreadable, as opposed to Redis failing.
func (e *RecordError) BadRecord() bool { return true }

// Serializer is a github.com/boj/redistore SessionSerializer that stores
// the flasksession middleware's record as readable JSON:
//
//	{"saved_at":1700000000,"session":{"_permanent":true,"user":"alice"}}
//
// saved_at is the Unix time of the last save; session is the session in
// Flask's tagged JSON, byte for byte as Flask would write it, so other
// programs (a Flask app, a Python or Node script, redis-cli) can read it.
// The tagged JSON is spliced in as is, never re-encoded.
//
// Configure and NewStore install it. It carries nothing but the record:
// a gorilla session holding other values is refused with ErrNotRecord.
type Serializer struct{}

const (
	recordPrefix  = `{"saved_at":`
	sessionPrefix = `,"session":`
)

// Serialize writes the record in ss.Values as JSON.
func (Serializer) Serialize(ss *gsessions.Session) ([]byte, error) {
	var data []byte
	var savedAt int64
	hasSavedAt := false
	for k, v := range ss.Values {
		switch k {
		case recordDataKey:
			b, ok := v.([]byte)
			if !ok {
				return nil, fmt.Errorf("%w (%s holds a %T, not []byte)", ErrNotRecord, recordDataKey, v)
			}
			data = b
		case recordSavedAtKey:
			n, ok := v.(int64)
			if !ok {
				return nil, fmt.Errorf("%w (%s holds a %T, not int64)", ErrNotRecord, recordSavedAtKey, v)
			}
			savedAt, hasSavedAt = n, true
		default:
			return nil, fmt.Errorf("%w (found key %v)", ErrNotRecord, k)
		}
	}
	if !isObject(data) {
		return nil, fmt.Errorf("%w (%s is not a JSON object)", ErrNotRecord, recordDataKey)
	}
	b := make([]byte, 0, len(recordPrefix)+20+len(sessionPrefix)+len(data)+1)
	if hasSavedAt {
		b = append(b, recordPrefix...)
		b = strconv.AppendInt(b, savedAt, 10)
		b = append(b, sessionPrefix...)
	} else {
		b = append(b, `{"session":`...)
	}
	b = append(b, data...)
	return append(b, '}'), nil
}

// Deserialize reads a record into ss.Values: the session's tagged JSON
// under flasksession.RecordDataKey ([]byte) and, when present, saved_at
// under flasksession.RecordSavedAtKey (int64). Records written by
// Serialize are read without a JSON pass (the middleware parses the
// session itself); others, from other programs, may order keys and
// space them as they like.
func (Serializer) Deserialize(d []byte, ss *gsessions.Session) error {
	data, savedAt, hasSavedAt, ok := parseOwn(d)
	if !ok {
		var err error
		if data, savedAt, hasSavedAt, err = parseAny(d); err != nil {
			return err
		}
	}
	ss.Values[recordDataKey] = data
	if hasSavedAt {
		ss.Values[recordSavedAtKey] = savedAt
	} else {
		delete(ss.Values, recordSavedAtKey)
	}
	return nil
}

// parseOwn reads exactly what Serialize writes. The session's text is
// checked for shape only; the middleware parses it in full.
func parseOwn(d []byte) (data []byte, savedAt int64, hasSavedAt, ok bool) {
	if !bytes.HasPrefix(d, []byte(recordPrefix)) || len(d) == 0 || d[len(d)-1] != '}' {
		return nil, 0, false, false
	}
	rest := d[len(recordPrefix):]
	i := 0
	if i < len(rest) && rest[i] == '-' {
		i++
	}
	digits := i
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	if i-digits > 1 && rest[digits] == '0' {
		return nil, 0, false, false // a leading zero: not JSON
	}
	n, err := strconv.ParseInt(string(rest[:i]), 10, 64)
	if err != nil {
		return nil, 0, false, false
	}
	rest = rest[i:]
	if !bytes.HasPrefix(rest, []byte(sessionPrefix)) {
		return nil, 0, false, false
	}
	rest = rest[len(sessionPrefix) : len(rest)-1]
	if !isObject(rest) {
		return nil, 0, false, false
	}
	return rest[:len(rest):len(rest)], n, true, true
}

// parseAny reads a record in any JSON layout.
func parseAny(d []byte) (data []byte, savedAt int64, hasSavedAt bool, err error) {
	var rec struct {
		SavedAt *int64          `json:"saved_at"`
		Session json.RawMessage `json:"session"`
	}
	if err := json.Unmarshal(d, &rec); err != nil {
		return nil, 0, false, &RecordError{Reason: err.Error()}
	}
	s := bytes.TrimSpace(rec.Session)
	if !isObject(s) {
		return nil, 0, false, &RecordError{Reason: `"session" is missing or not a JSON object`}
	}
	if rec.SavedAt != nil {
		return s, *rec.SavedAt, true, nil
	}
	return s, 0, false, nil
}

func isObject(b []byte) bool {
	return len(b) >= 2 && b[0] == '{' && b[len(b)-1] == '}'
}
