package flasksession

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/internal/hookwriter"
)

// request is the middleware's state for one request, in one allocation:
// the session handlers see, the backend's hold on it, the writer hook, the
// request's context that leads to it, and the commit that puts the session
// into the response headers once.
type request struct {
	m    *middleware
	c    *gin.Context
	req  *http.Request               // c.Request as the middleware saw it; c is recycled after the request, req is not
	w    hookwriter.Writer[*request] // commits the session before the headers go out
	ctx  sessionContext
	hreq http.Request // c.Request with ctx as its context
	sess Session

	// sess.mu guards the rest: the session and its commit change together.
	st        sessionState // the backend's hold, opened on first need (state)
	setCookie [1]string    // our Set-Cookie value ("" for none); backs the header when ours is the only one
	err       error        // the outcome of the latest settle
	settled   bool         // setCookie is the outcome unless the session changed since
	sent      bool         // the headers went out: later changes are lost
	late      bool         // a change after the headers went out, not yet reported
}

// begin sets up the request's session, hooks the response writer and
// puts the request into c.Request's context.
func (m *middleware) begin(c *gin.Context) *request {
	r := &request{m: m, c: c, req: c.Request}
	r.sess.r = r
	r.w = hookwriter.Writer[*request]{ResponseWriter: c.Writer, Hook: r}
	c.Writer = &r.w
	if c.Request != nil {
		r.ctx = sessionContext{Context: c.Request.Context(), r: r}
		// WithContext inlines and its copy stays on the stack: the
		// request's copy lives in r, no allocation of its own.
		r.hreq = *c.Request.WithContext(&r.ctx)
		c.Request = &r.hreq
	}
	return r
}

// handBackForm gives a multipart form parsed on c.Request, the request
// with our context, to the request the server passed in: the server
// removes the form's temporary files through that one when the request
// is done. Deferred, so that a panic a Recovery outside us catches does
// not leave the files behind either.
func (r *request) handBackForm() {
	if cr := r.c.Request; cr != nil && cr.MultipartForm != nil && r.req != nil && r.req.MultipartForm == nil {
		r.req.MultipartForm = cr.MultipartForm
	}
}

// sessionContext is the request's context with the session in it. Lookup
// finds the session through it when c.Writer is not ours: behind a writer
// a later middleware wrapped, and on a c.Copy(), which keeps c.Request.
// It lives in the request: no allocation of its own, and no gin Keys map
// to make on every request.
type sessionContext struct {
	context.Context
	r *request
}

// sessionKey is the context key of the request.
type sessionKey struct{}

func (x *sessionContext) Value(key any) any {
	if key == (sessionKey{}) {
		return x.r
	}
	return x.Context.Value(key)
}

// reconfigure hands the request to m, a middleware registered again with
// its own Config (an admin group with a shorter lifetime, say). That works
// only while nobody has used the session: otherwise it is reported, and
// the Config the session was loaded with stays.
func (r *request) reconfigure(m *middleware) {
	if r.m == m {
		return
	}
	s := &r.sess
	s.mu.Lock()
	used := s.loaded || r.settled || r.sent
	if !used {
		r.m, r.st = m, nil
	}
	s.mu.Unlock()
	if used {
		r.report(fmt.Errorf("%w: a second session middleware ran after the session was used; the first one's applies", ErrInvalidConfig), false)
	}
}

// BeforeWrite is the writer hook: the commit just before the response
// starts.
func (r *request) BeforeWrite() { r.commit(false) }

// commit puts the session's cookie and Vary into the response headers,
// once, and reports what went wrong. It runs on the goroutine writing the
// response, the only one that may touch the header map: from the writer
// hook, and after the chain.
func (r *request) commit(afterChain bool) {
	s := &r.sess
	s.mu.Lock()
	if !r.sent && r.w.ResponseWriter.Written() {
		r.sent = true // written past our hook
	}
	var err error
	if r.sent {
		r.lateChangeLocked()
	} else {
		r.sent = true
		err = r.settleLocked()
		h := r.w.ResponseWriter.Header()
		if r.setCookie[0] != "" {
			r.addSetCookie(h)
		}
		if s.accessed || r.setCookie[0] != "" {
			addVaryCookie(h)
		}
	}
	if err == nil && s.loadErr == nil && !r.late {
		s.mu.Unlock()
		return
	}
	// Reported once, after the lock is released: the load's failure
	// (which may be err too), the save's, a late change.
	var errs [3]error
	n := 0
	for _, e := range [...]error{s.loadErr, err} {
		if e != nil && (n == 0 || errs[n-1] != e) {
			errs[n] = e
			n++
		}
	}
	if r.late {
		errs[n] = ErrHeadersWritten
		n++
	}
	s.loadErr, r.late = nil, false
	s.mu.Unlock()
	for _, e := range errs[:n] {
		r.report(e, afterChain)
	}
}

// save is Session.Save: it settles the cookie now and returns any error.
// The headers themselves are written by commit, on the request's
// goroutine, so Save is safe from other goroutines.
func (r *request) save() error {
	r.sess.mu.Lock()
	defer r.sess.mu.Unlock()
	if r.sent {
		return r.lateChangeLocked()
	}
	return r.settleLocked()
}

// lateChangeLocked records a change made after the headers went out.
func (r *request) lateChangeLocked() error {
	if !r.sess.dirty {
		return nil
	}
	r.sess.dirty = false
	r.late = true
	return ErrHeadersWritten
}

// settleLocked works out the Set-Cookie value, again only if the session
// changed since the last time. sess.mu is held.
func (r *request) settleLocked() error {
	s := &r.sess
	if r.settled && !s.dirty {
		return r.err
	}
	r.settled, s.dirty = true, false
	r.setCookie[0], r.err = r.setCookieValue()
	return r.err
}

// setCookieValue applies Flask's save_session (cookieAction) and has the
// backend store the session and format its cookie.
func (r *request) setCookieValue() (string, error) {
	s := &r.sess
	refresh := !r.m.cfg.DisableRefreshEachRequest
	if !s.loaded {
		// Untouched: only a permanent session is sent again (refreshed),
		// and the backend learns that without decoding the whole session.
		if !refresh {
			return "", nil
		}
		cookie, _ := readCookie(r.req.Header, r.m.format.cookieName)
		if cookie == "" || !r.m.backend.mayRefresh(cookie) {
			return "", nil
		}
		now := s.clock()
		h, err := r.state().refresh(r.req, cookie, now, expiresAt(true, now, r.m.cfg.PermanentLifetime))
		s.noteLoadErr(err)
		return h, nil
	}
	permanent := s.permanent()
	switch decideCookie(len(s.values) == 0, s.modified, permanent, refresh) {
	case actionNone:
		return "", nil
	case actionDelete:
		// The cookie goes whatever the store says: a logout never fails
		// open. A later save in this request takes a new ID.
		s.takeRegen()
		return r.m.format.deletion, r.state().remove(r.req)
	}
	if s.storeFailed() {
		return "", s.loadErr // never overwrite what could not be read
	}
	now := s.clock()
	return r.state().save(r.req, s.values, s.modified, s.takeRegen(), now, expiresAt(permanent, now, r.m.cfg.PermanentLifetime))
}

// state returns the backend's hold on the session, opening it on first
// need: a request that never uses its session opens nothing. sess.mu is
// held.
func (r *request) state() sessionState {
	if r.st == nil {
		r.st = r.m.backend.open(r.req)
	}
	return r.st
}

// addSetCookie adds our Set-Cookie header. The first value lives in r,
// not in an allocation of its own; the full slice expression makes any
// later Add copy it rather than write past it.
func (r *request) addSetCookie(h http.Header) {
	if vals := h["Set-Cookie"]; len(vals) > 0 {
		h["Set-Cookie"] = append(vals, r.setCookie[0])
		return
	}
	h["Set-Cookie"] = r.setCookie[:1:1]
}

// report hands err to c.Errors and the error handler; a rejected cookie,
// which is expected input, goes to the error handler only. With no error
// handler, an error after the chain is printed too: loggers inside the
// chain have printed c.Errors already.
func (r *request) report(err error, afterChain bool) {
	if errors.Is(err, ErrInvalidCookie) {
		if h := r.m.cfg.ErrorHandler; h != nil {
			h(r.c, err)
		}
		return
	}
	_ = r.c.Error(err)
	if h := r.m.cfg.ErrorHandler; h != nil {
		h(r.c, err)
	} else if afterChain {
		fmt.Fprintf(gin.DefaultErrorWriter, "[flasksession] %s %s: %v\n", r.req.Method, r.req.URL.Path, err)
	}
}
