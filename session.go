package flasksession

import (
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/ginflask/flasksession/internal/cookiecodec"
	"github.com/ginflask/flasksession/taggedjson"
)

// PermanentKey is the session key behind Permanent, as in Flask.
const PermanentKey = cookiecodec.PermanentKey

// Session is the session of one request: Flask's `session`. Handlers get
// it with Get(c). Values are stored under string keys and must be of a
// type Flask's tagged JSON carries (see package taggedjson): strings,
// numbers, bools, nil, slices, maps with string keys, structs, Tuple,
// []byte, template.HTML, uuid.UUID and time.Time.
//
// Changes are saved automatically when the response starts. Like Flask,
// changing a value nested inside another (appending to a stored slice,
// say) is not seen: Set the value again or call MarkModified.
//
// A Session is safe for use by goroutines the handler starts. Changes count
// until the response starts; after that they are lost, and Save reports
// ErrHeadersWritten. Reads keep working after the request, on the request's
// own data.
type Session struct {
	mu       sync.Mutex
	r        *request // the request the session belongs to; never changes
	values   map[string]any
	now      time.Time // the request's clock reading, taken on first need
	loaded   bool
	modified bool // Flask's session.modified
	accessed bool // Flask's session.accessed (3.1.3 rules: any use)
	dirty    bool // changed since the cookie was last worked out
	regen    bool // Regenerate or Destroy: the next save takes a new ID

	// loadErr is why the session could not be loaded, for commit to
	// report: a refused cookie (ErrInvalidCookie, expected input), or a
	// store that failed, which blocks saving over the client's session.
	loadErr error

	flashes *[]FlashMessage // taken from the session on the first Flashes call; nil until then
}

// load decodes the request's cookie on first use; s.mu is held. A
// missing or refused cookie, or a store that failed, gives an empty
// session; commit reports the failure.
func (s *Session) load() {
	if s.loaded {
		return
	}
	s.loaded = true
	values, err := s.r.state().load(s.r.req, s.clock())
	s.noteLoadErr(err)
	if err == nil {
		s.values = values
	}
}

// noteLoadErr keeps a load failure for commit. s.mu is held.
func (s *Session) noteLoadErr(err error) {
	if err != nil {
		s.loadErr = err
	}
}

// storeFailed reports a load that failed in the store, not on the
// client's cookie: nothing may be saved over the client's session. s.mu
// is held.
func (s *Session) storeFailed() bool {
	return s.loadErr != nil && !errors.Is(s.loadErr, ErrInvalidCookie)
}

// clock returns the request's time, reading the clock once; s.mu is held.
func (s *Session) clock() time.Time {
	if s.now.IsZero() {
		s.now = s.r.m.now()
	}
	return s.now
}

// takeRegen reports and clears a pending Regenerate; s.mu is held.
func (s *Session) takeRegen() bool {
	regen := s.regen
	s.regen = false
	return regen
}

// use loads and marks the session accessed; s.mu is held.
func (s *Session) use() {
	s.load()
	s.accessed = true
}

// changed marks a modification; s.mu is held.
func (s *Session) changed() {
	s.accessed = true
	s.modified = true
	s.dirty = true
}

// Get returns the value under key: Flask's session.get(key).
func (s *Session) Get(key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	v, ok := s.values[key]
	return v, ok
}

// Value returns the value under key, or nil: Flask's session.get(key) in
// one value, for templates ({{ .session.Value "username" }}).
func (s *Session) Value(key string) any {
	v, _ := s.Get(key)
	return v
}

// Set stores v under key: Flask's session[key] = v. The session counts as
// modified even if the value is unchanged, as in Flask.
func (s *Session) Set(key string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	s.set(key, v)
}

// set stores a value; s.mu is held and the session loaded.
func (s *Session) set(key string, v any) {
	if s.values == nil {
		s.values = make(map[string]any, 4)
	}
	s.values[key] = v
	s.changed()
}

// Pop removes key and returns its value: Flask's session.pop(key, None).
// The session is modified only if the key was there.
func (s *Session) Pop(key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	v, ok := s.values[key]
	if ok {
		delete(s.values, key)
		s.changed()
	}
	return v, ok
}

// Delete removes key: Flask's del session[key], without the KeyError.
func (s *Session) Delete(key string) { s.Pop(key) }

// Has reports whether key is set: Flask's `key in session`.
func (s *Session) Has(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	_, ok := s.values[key]
	return ok
}

// Clear removes every value, the permanent flag included: Flask's
// session.clear(). The response deletes the cookie unless something is
// stored again.
func (s *Session) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load() // a server-side store needs the record's ID to delete it
	clear(s.values)
	s.changed()
}

// Destroy ends the session: it clears it, deletes the cookie, and with a
// server-side store (Config.Store) deletes the stored record, so the
// session is gone everywhere at once; anything stored afterwards in the
// same request starts a new session with a new ID. For the cookie store it
// is Clear: a copy of the old cookie stays valid until it expires, since a
// signed cookie cannot be revoked.
func (s *Session) Destroy() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	clear(s.values)
	s.regen = true // anything stored after this goes under a new ID
	s.changed()
}

// Regenerate gives the session a new ID, keeping its data, and deletes the
// record under the old ID: call it on login, against session fixation.
// It applies to server-side stores (Config.Store); with the cookie store
// it only re-signs the cookie, since a signed cookie has no ID.
func (s *Session) Regenerate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	s.regen = true
	s.changed()
}

// Keys returns the keys in sorted order.
func (s *Session) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	keys := make([]string, 0, len(s.values))
	for k := range s.values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Len returns the number of keys: Flask's len(session).
func (s *Session) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	return len(s.values)
}

// Permanent reports whether the session outlives the browser session:
// Flask's session.permanent.
func (s *Session) Permanent() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	return s.permanent()
}

// permanent reads the flag; s.mu is held and the session loaded.
func (s *Session) permanent() bool {
	return cookiecodec.Permanent(s.values)
}

// SetPermanent makes the session last Config.PermanentLifetime (true) or
// end with the browser session (false): Flask's session.permanent = v.
// The flag is stored in the session under "_permanent", as Flask does.
func (s *Session) SetPermanent(v bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	s.set(PermanentKey, v)
}

// Modified reports whether the session was changed during this request:
// Flask's session.modified.
func (s *Session) Modified() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.modified
}

// MarkModified makes the session count as modified, so it is saved: Flask's
// session.modified = True, for changes made inside a nested value.
func (s *Session) MarkModified() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	s.changed()
}

// Accessed reports whether the session was used during this request,
// which adds "Vary: Cookie" to the response: Flask's session.accessed.
func (s *Session) Accessed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accessed
}

// Save saves the session now, instead of when the response starts, and
// returns what went wrong, if anything: a session too large for a cookie
// (ErrCookieTooLarge), a value that cannot be stored (ErrUnserializable),
// or headers already sent (ErrHeadersWritten). It is never required:
// saving is automatic. Changes after Save are saved too.
func (s *Session) Save() error {
	return s.r.save()
}

// Tuple is a Python tuple in a session value (Flask's " t" tag), kept
// apart from lists so each round-trips as itself.
type Tuple = taggedjson.Tuple
