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
	name     string
	lifetime time.Duration
}

// serverHandle is what a request keeps of its stored session.
type serverHandle struct {
	gs    *gsessions.Session
	oldID string // set by Regenerate: the record to delete on save
}

func (b *serverBackend) load(r *http.Request, now time.Time) (map[string]any, any, error) {
	gs, err := b.store.New(r, b.name)
	if gs == nil {
		gs = gsessions.NewSession(b.store, b.name)
	}
	if gs.Options == nil {
		gs.Options = new(gsessions.Options)
	}
	h := &serverHandle{gs: gs}
	if err != nil {
		// An ID cookie that does not verify, a record that does not read, or
		// a store that failed: save under a new ID rather than overwrite a
		// record we could not read.
		id := gs.ID
		gs.ID = ""
		var cookieErr securecookie.Error
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, h, nil // FilesystemStore: no record under this ID
		case errors.As(err, &cookieErr):
			return nil, h, err
		case isBadRecord(err):
			h.oldID = id // the next save deletes the unreadable record
			return nil, h, err
		}
		return nil, h, &StoreError{Op: "load", Err: err}
	}
	data, _ := gs.Values[RecordDataKey].([]byte)
	if len(data) == 0 {
		// No record under this ID (expired, or destroyed by another
		// instance): a save gets a new ID instead of reviving the old one.
		gs.ID = ""
		return nil, h, nil
	}
	// Whole seconds, as for cookies: a record saved lifetime ago is still good.
	if at, ok := gs.Values[RecordSavedAtKey].(int64); ok && now.Unix()-at > int64(b.lifetime/time.Second) {
		h.oldID, gs.ID = gs.ID, "" // the next save deletes the stale record
		return nil, h, &expiredRecordError{savedAt: time.Unix(at, 0)}
	}
	values, err := taggedjson.UnmarshalObject(data)
	if err != nil {
		h.oldID, gs.ID = gs.ID, ""
		return nil, h, err
	}
	return values, h, nil
}

// save stores values and returns the cookie value: the store's encoding
// of the session ID. The record lives for the lifetime whether or not the
// session is permanent (a browser-session cookie must not end the record
// at once); the cookie's own expiry is the middleware's business. After
// Regenerate, the record under the old ID is deleted once the new one is
// stored, so a failure leaves the client's old session intact.
func (b *serverBackend) save(dst []byte, r *http.Request, handle any, values map[string]any, now time.Time, _ bool) ([]byte, error) {
	h := handle.(*serverHandle)
	data, err := taggedjson.Marshal(values)
	if err != nil {
		return dst, err
	}
	gs := h.gs
	clear(gs.Values)
	gs.Values[RecordDataKey] = data
	gs.Values[RecordSavedAtKey] = now.Unix()
	gs.Options.MaxAge = int(b.lifetime / time.Second)
	var w cookieCapture
	if err := b.store.Save(r, &w, gs); err != nil {
		return dst, &StoreError{Op: "save", Err: err}
	}
	v, ok := w.value(b.name)
	if !ok {
		return dst, &StoreError{Op: "save", Err: errNoStoreCookie}
	}
	if h.oldID != "" && h.oldID != gs.ID {
		if err := b.delete(r, gs, h.oldID); err != nil {
			return dst, err
		}
	}
	h.oldID = ""
	return append(dst, v...), nil
}

// remove deletes the session's record (and after Regenerate, the one
// under the old ID).
func (b *serverBackend) remove(r *http.Request, handle any) error {
	h := handle.(*serverHandle)
	if h.oldID != "" {
		if err := b.delete(r, h.gs, h.oldID); err != nil {
			return err
		}
		h.oldID = ""
	}
	if h.gs.ID == "" {
		return nil
	}
	if err := b.delete(r, h.gs, h.gs.ID); err != nil {
		return err
	}
	h.gs.ID = ""
	return nil
}

// regenerate gives the session a new ID at the next save, deleting the
// old record then.
func (b *serverBackend) regenerate(handle any) {
	h := handle.(*serverHandle)
	if h.gs.ID != "" && h.oldID == "" {
		h.oldID = h.gs.ID
	}
	h.gs.ID = ""
}

// delete removes the record under id: gorilla stores delete on a save
// with a negative MaxAge.
func (b *serverBackend) delete(r *http.Request, gs *gsessions.Session, id string) error {
	old := gsessions.NewSession(b.store, b.name)
	old.ID = id
	opts := *gs.Options
	opts.MaxAge = -1
	old.Options = &opts
	var w cookieCapture
	if err := b.store.Save(r, &w, old); err != nil {
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
