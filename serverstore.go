package flasksession

import (
	"errors"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/ginflask/flasksession/taggedjson"
	"github.com/gorilla/securecookie"
	gsessions "github.com/gorilla/sessions"
)

// Keys of the record a server-side store keeps for a session: the session
// as Flask's tagged JSON, and when it was saved. A []byte and an int64 are
// all a store ever sees, so stores that gob-encode need no gob.Register.
const (
	RecordDataKey    = "flasksession.data"
	RecordSavedAtKey = "flasksession.saved_at"
)

// serverBackend keeps sessions in a github.com/gin-contrib/sessions store;
// the cookie holds only the store's session ID.
type serverBackend struct {
	store    sessions.Store
	format   *cookieFormat
	lifetime time.Duration
}

func newServerBackend(cfg *Config, f *cookieFormat) *serverBackend {
	return &serverBackend{store: cfg.Store, format: f, lifetime: cfg.PermanentLifetime}
}

// serverState is what a request keeps of its stored session.
type serverState struct {
	b     *serverBackend
	gs    *gsessions.Session
	oldID string // set by a regenerated ID: the record to delete on save
}

func (b *serverBackend) open(*http.Request) sessionState { return &serverState{b: b} }

func (st *serverState) load(r *http.Request, now time.Time) (map[string]any, error) {
	b := st.b
	gs, err := b.store.New(r, b.format.cookieName)
	if gs == nil {
		gs = gsessions.NewSession(b.store, b.format.cookieName)
	}
	if gs.Options == nil {
		gs.Options = new(gsessions.Options)
	}
	st.gs = gs
	if err != nil {
		// An ID cookie that does not verify, a record that does not read, or
		// a store that failed: save under a new ID rather than overwrite a
		// record we could not read.
		id := gs.ID
		gs.ID = ""
		var cookieErr securecookie.Error
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, nil // FilesystemStore: no record under this ID
		case errors.As(err, &cookieErr):
			return nil, &InvalidCookieError{Err: err}
		case isBadRecord(err):
			st.oldID = id // the next save deletes the unreadable record
			return nil, &InvalidCookieError{Err: err}
		}
		return nil, &StoreError{Op: "load", Err: err}
	}
	data, _ := gs.Values[RecordDataKey].([]byte)
	if len(data) == 0 {
		// No record under this ID (expired, or destroyed by another
		// instance): a save gets a new ID instead of reviving the old one.
		gs.ID = ""
		return nil, nil
	}
	// Whole seconds, as for cookies: a record saved lifetime ago is still good.
	if at, ok := gs.Values[RecordSavedAtKey].(int64); ok && now.Unix()-at > int64(b.lifetime/time.Second) {
		st.oldID, gs.ID = gs.ID, "" // the next save deletes the stale record
		return nil, &InvalidCookieError{Err: &expiredRecordError{savedAt: time.Unix(at, 0)}}
	}
	values, err := taggedjson.UnmarshalObject(data)
	if err != nil {
		st.oldID, gs.ID = gs.ID, ""
		return nil, &InvalidCookieError{Err: err}
	}
	return values, nil
}

// refresh loads the record to learn whether the session is permanent and
// saves it again if so.
func (st *serverState) refresh(r *http.Request, now, expires time.Time) (string, error) {
	if _, ok := readCookie(r.Header, st.b.format.cookieName); !ok {
		return "", nil
	}
	values, err := st.load(r, now)
	if err != nil || !taggedjson.Truthy(values[PermanentKey]) {
		return "", err
	}
	return st.save(r, values, false, now, expires)
}

// save stores values and returns the ID cookie. The record lives for the
// lifetime whether or not the session is permanent (a browser-session
// cookie must not end the record at once); the cookie's own expiry is the
// middleware's business. After a regenerated ID, the record under the old
// ID is deleted once the new one is stored, so a failure leaves the
// client's old session intact.
func (st *serverState) save(r *http.Request, values map[string]any, regen bool, now, expires time.Time) (string, error) {
	b := st.b
	if regen {
		st.regenerate()
	}
	data, err := taggedjson.Marshal(values)
	if err != nil {
		return "", &SaveError{Err: err}
	}
	gs := st.gs
	clear(gs.Values)
	gs.Values[RecordDataKey] = data
	gs.Values[RecordSavedAtKey] = now.Unix()
	gs.Options.MaxAge = int(b.lifetime / time.Second)
	var w cookieCapture
	if err := b.store.Save(r, &w, gs); err != nil {
		return "", &StoreError{Op: "save", Err: err}
	}
	v, ok := w.value(b.format.cookieName)
	if !ok {
		return "", &StoreError{Op: "save", Err: errNoStoreCookie}
	}
	if st.oldID != "" && st.oldID != gs.ID {
		if err := st.delete(r, st.oldID); err != nil {
			return "", err
		}
	}
	st.oldID = ""
	dst := append([]byte(b.format.name), v...)
	return string(b.format.appendAttrs(dst, expires)), nil
}

// remove deletes the session's record (and after a regenerated ID, the
// one under the old ID).
func (st *serverState) remove(r *http.Request, regen bool) error {
	if regen {
		st.regenerate()
	}
	if st.oldID != "" {
		if err := st.delete(r, st.oldID); err != nil {
			return err
		}
		st.oldID = ""
	}
	if st.gs.ID == "" {
		return nil
	}
	if err := st.delete(r, st.gs.ID); err != nil {
		return err
	}
	st.gs.ID = ""
	return nil
}

// regenerate gives the session a new ID at the next save, deleting the
// old record then.
func (st *serverState) regenerate() {
	if st.gs.ID != "" && st.oldID == "" {
		st.oldID = st.gs.ID
	}
	st.gs.ID = ""
}

// delete removes the record under id: gorilla stores delete on a save
// with a negative MaxAge.
func (st *serverState) delete(r *http.Request, id string) error {
	old := gsessions.NewSession(st.b.store, st.b.format.cookieName)
	old.ID = id
	opts := *st.gs.Options
	opts.MaxAge = -1
	old.Options = &opts
	var w cookieCapture
	if err := st.b.store.Save(r, &w, old); err != nil {
		return &StoreError{Op: "delete", Err: err}
	}
	return nil
}

var errNoStoreCookie = errors.New("the store set no cookie named Config.CookieName: give the middleware a gin-contrib/sessions store that writes its session ID cookie on Save")

// cookieCapture is the http.ResponseWriter a store saves into, so the
// middleware can send the ID cookie with Flask's attributes instead of the
// store's.
type cookieCapture struct{ h http.Header }

func (w *cookieCapture) Header() http.Header {
	if w.h == nil {
		w.h = make(http.Header, 1)
	}
	return w.h
}
func (w *cookieCapture) Write(b []byte) (int, error) { return len(b), nil }
func (w *cookieCapture) WriteHeader(int)             {}

func (w *cookieCapture) value(name string) (string, bool) {
	for _, line := range w.h["Set-Cookie"] {
		nv, _, _ := strings.Cut(line, ";")
		if k, v, ok := strings.Cut(nv, "="); ok && k == name {
			return strings.Trim(v, `"`), true
		}
	}
	return "", false
}

// isBadRecord reports whether a store's load error says that the record
// is there but unreadable (a store's serializer, such as redisstore's,
// marks such errors with a BadRecord() bool method returning true), as
// opposed to the store failing.
func isBadRecord(err error) bool {
	var br interface{ BadRecord() bool }
	return errors.As(err, &br) && br.BadRecord()
}

type expiredRecordError struct{ savedAt time.Time }

func (e *expiredRecordError) Error() string {
	return "flasksession: the stored session was last saved " + e.savedAt.UTC().Format(time.RFC3339) + ", longer ago than Config.PermanentLifetime"
}
