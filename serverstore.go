package flasksession

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/ginflask/flasksession/taggedjson"
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
	h := &serverHandle{gs: gs}
	if err != nil {
		gs.ID = "" // an undecodable ID cookie: start a new record
		return nil, h, err
	}
	data, _ := gs.Values[RecordDataKey].([]byte)
	if len(data) == 0 {
		return nil, h, nil
	}
	if at, ok := gs.Values[RecordSavedAtKey].(int64); ok && now.Sub(time.Unix(at, 0)) > b.lifetime {
		return nil, h, &expiredRecordError{savedAt: time.Unix(at, 0)}
	}
	values, err := taggedjson.UnmarshalObject(data)
	if err != nil {
		return nil, h, err
	}
	return values, h, nil
}

// save stores values and returns the cookie value: the store's encoding
// of the session ID. The record lives for the lifetime whether or not the
// session is permanent (a browser-session cookie must not end the record
// at once); the cookie's own expiry is the middleware's business.
func (b *serverBackend) save(dst []byte, r *http.Request, handle any, values map[string]any, now time.Time, _ bool) ([]byte, error) {
	h := handle.(*serverHandle)
	if h.oldID != "" {
		if err := b.delete(r, h.gs, h.oldID); err != nil {
			return dst, err
		}
		h.oldID = ""
	}
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
		return dst, err
	}
	v, ok := w.value(b.name)
	if !ok {
		return dst, errNoStoreCookie
	}
	return append(dst, v...), nil
}

// remove deletes the session's record.
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
	err := b.delete(r, h.gs, h.gs.ID)
	h.gs.ID = ""
	return err
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

func (b *serverBackend) delete(r *http.Request, gs *gsessions.Session, id string) error {
	old := gsessions.NewSession(b.store, b.name)
	old.ID = id
	opts := *gs.Options
	opts.MaxAge = -1
	old.Options = &opts
	var w cookieCapture
	return b.store.Save(r, &w, old)
}

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

type expiredRecordError struct{ savedAt time.Time }

func (e *expiredRecordError) Error() string {
	return "flasksession: the stored session was last saved " + e.savedAt.UTC().Format(time.RFC3339) + ", longer ago than Config.PermanentLifetime"
}
