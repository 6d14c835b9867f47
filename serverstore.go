package flasksession

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"
	"unsafe"

	"github.com/ginflask/flasksession/flaskrecord"
	"github.com/ginflask/flasksession/internal/cookiecodec"
	"github.com/ginflask/flasksession/itsdangerous"
	"github.com/ginflask/flasksession/taggedjson"
)

// idSalt is the itsdangerous salt of the session ID cookie of server-side
// sessions: the cookie is the ID signed as Flask-Session signs it
// (SESSION_USE_SIGNER: salt "flask-session", HMAC key derivation,
// HMAC-SHA1), with Config.SecretKey and verified with its fallbacks too.
// A permanent session's ID carries the suffix ":p" under the signature, so
// a request that does not use the session refreshes it with one Touch and
// leaves a browser-session one alone, without reading the record. With
// Config.FlaskSession the ID is signed bare, as Flask-Session signs it,
// or not signed at all.
const idSalt = "flask-session"

// permanentSuffix marks a permanent session's ID in its cookie.
const permanentSuffix = ":p"

// maxCreateTries bounds the fresh IDs tried when a store says an ID is
// taken: 256 random bits do not collide, so a store that keeps saying so
// is broken.
const maxCreateTries = 3

// idBytes is the entropy of a session ID: 256 bits, 43 characters, as
// Flask-Session's secrets.token_urlsafe(32).
const idBytes = 32

// errMalformedID: an unsigned session cookie (FlaskSession without
// UseSigner) that is not an ID the middleware or Flask-Session mints.
var errMalformedID = errors.New("flasksession: malformed session ID")

// serverBackend keeps sessions in a Store; the cookie holds only the
// signed record ID. It mints every ID itself: an ID the client sent is
// used only if it verifies and its record exists, so a forged, unknown or
// expired ID never reaches the store as a write.
type serverBackend struct {
	store        Store
	signer       *itsdangerous.Signer
	format       *cookieFormat
	lifetime     time.Duration
	anonLifetime time.Duration // Config.AnonymousLifetime
	conflicts    bool          // Config.DetectConflicts
	index        userIndex

	// records is Config.FlaskSession's codec: records and IDs are
	// Flask-Session's. Nil: Flask's tagged JSON, and IDs with the ":p"
	// mark.
	records *flaskrecord.Codec
	// bareIDs: the cookie is the ID unsigned (FlaskSession without
	// UseSigner).
	bareIDs bool
}

func newServerBackend(cfg *Config, f *cookieFormat) (*serverBackend, error) {
	keys := append(append([][]byte{}, cfg.SecretKeyFallbacks...), cfg.SecretKey)
	signer, err := itsdangerous.NewSigner(keys, itsdangerous.SignerConfig{
		Salt:          []byte(idSalt),
		KeyDerivation: itsdangerous.DeriveHMAC,
	})
	if err != nil {
		return nil, err
	}
	b := &serverBackend{
		store:        cfg.Store,
		signer:       signer,
		format:       f,
		lifetime:     cfg.PermanentLifetime,
		anonLifetime: cfg.AnonymousLifetime,
		conflicts:    cfg.DetectConflicts,
		index:        userIndex{store: cfg.Store, lifetime: cfg.PermanentLifetime},
	}
	if fs := cfg.FlaskSession; fs != nil {
		b.records, b.bareIDs = &fs.Codec, !fs.UseSigner
	}
	return b, nil
}

// serverState is what a request knows of its stored session.
type serverState struct {
	b    *serverBackend
	id   string // the verified ID the client sent; "" for none
	data []byte // the record as loaded: for the version check
	live bool   // a record under id was found
	gone string // an ID whose record must go at the next save: a regenerated or unreadable one
}

func (b *serverBackend) open(*http.Request) sessionState { return &serverState{b: b} }

// A permanent session's ID carries the mark: without it there is nothing
// to refresh, and not even the signature needs checking. Flask-Session's
// IDs carry none: only the record tells.
func (b *serverBackend) mayRefresh(cookie string) bool {
	return b.records != nil || markedPermanent(cookie)
}

// markedPermanent reports whether a cookie value, unverified, carries the
// permanent mark before its signature.
func markedPermanent(cookie string) bool {
	i := strings.LastIndexByte(cookie, '.')
	return i >= 0 && strings.HasSuffix(cookie[:i], permanentSuffix)
}

// verify returns the ID in a cookie value, and whether it is marked
// permanent (never for Flask-Session's IDs), if its signature verifies
// with one of the keys.
func (st *serverState) verify(raw string) (id string, permanent bool, err error) {
	if raw == "" {
		return "", false, nil
	}
	if st.b.bareIDs {
		if !isMintedID(raw) {
			return "", false, &InvalidCookieError{Err: errMalformedID}
		}
		return raw, false, nil
	}
	v, _, err := st.b.signer.Unsign(unsafe.Slice(unsafe.StringData(raw), len(raw)))
	if err != nil {
		return "", false, &InvalidCookieError{Err: err}
	}
	if st.b.records != nil {
		return string(v), false, nil
	}
	id, permanent = strings.CutSuffix(string(v), permanentSuffix)
	return id, permanent, nil
}

// isMintedID reports whether an unsigned ID has the shape of one the
// middleware or Flask-Session mints: 43 URL-safe base64 characters
// (secrets.token_urlsafe(32), Flask-Session 0.6+) or a uuid4's 36
// (0.3 to 0.5). Anything else never reaches the store, so a client
// cannot name other keys under the prefix, such as the user index's.
func isMintedID(id string) bool {
	if len(id) != 43 && len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// find reads the record of the ID in the request's cookie value raw.
func (st *serverState) find(req *http.Request, raw string) ([]byte, error) {
	id, _, err := st.verify(raw)
	if id == "" {
		return nil, err
	}
	// Kept even if the store fails: a logout can still try to delete it.
	st.id = id
	data, found, err := st.b.store.Find(req.Context(), id)
	if err != nil {
		return nil, &StoreError{Op: "load", Err: err}
	}
	st.live = found
	if !found {
		st.id = "" // expired or deleted: a save takes a new ID, never this one
		return nil, nil
	}
	st.data = data
	return data, nil
}

func (st *serverState) load(req *http.Request, _ time.Time) (map[string]any, error) {
	raw, _ := readCookie(req.Header, st.b.format.cookieName)
	return st.loadCookie(req, raw)
}

// loadCookie is load for the cookie value raw.
func (st *serverState) loadCookie(req *http.Request, raw string) (map[string]any, error) {
	data, err := st.find(req, raw)
	if data == nil {
		return nil, err
	}
	values, err := st.b.decode(data)
	if err != nil {
		// Unreadable: start afresh under a new ID, and delete it then.
		st.gone, st.id, st.live = st.id, "", false
		return nil, &InvalidCookieError{Err: err}
	}
	return values, nil
}

// refresh extends a permanent session nobody touched with one Touch,
// never rewriting its data; the cookie says whether it is permanent, so
// a browser-session one costs no store call at all. A Flask-Session ID
// does not say: its record is read first (Find, then Touch).
func (st *serverState) refresh(req *http.Request, cookie string, now, expires time.Time) (string, error) {
	if st.b.records != nil {
		values, err := st.loadCookie(req, cookie)
		if !cookiecodec.Permanent(values) {
			return "", err
		}
		return st.touch(req, expires, expires)
	}
	id, permanent, err := st.verify(cookie)
	if id == "" || !permanent {
		return "", err
	}
	st.id = id
	return st.touch(req, expires, expires)
}

// touch extends the record to expiry and re-sends the ID cookie with
// the cookie's expires. A record gone meanwhile (a logout, a login that
// moved the session to a new ID) stays gone, and the client's cookie is
// left alone: it may already hold the new ID, which a deletion would
// throw away.
func (st *serverState) touch(req *http.Request, expiry, expires time.Time) (string, error) {
	err := st.b.store.Touch(req.Context(), st.id, expiry)
	if errors.Is(err, ErrRecordNotFound) {
		return "", nil
	}
	if err != nil {
		return "", &StoreError{Op: "touch", Err: err}
	}
	return st.cookie(st.id, expires), nil
}

// save stores values. A session the request did not change only has its
// expiry extended; a changed one is updated in place, and only while its
// record exists, so a request that loaded the session before a logout
// cannot bring it back. A new session, or one given a new ID, is created
// under a fresh ID; the record under the old ID is deleted after that.
// A record holding a login is added to its user's index when created.
func (st *serverState) save(req *http.Request, values map[string]any, modified, regen bool, now, expires time.Time) (string, error) {
	if regen && st.id != "" {
		st.gone, st.id, st.live = st.id, "", false
	}
	user, loggedIn := loginOf(values)
	lifetime := st.b.lifetime
	if !loggedIn {
		lifetime = st.b.anonLifetime
	}
	expiry := recordExpiry(now, expires, lifetime)
	if !modified && st.live {
		return st.touch(req, expiry, expires)
	}
	data, err := st.b.encode(values)
	if err != nil {
		return "", &SaveError{Err: err}
	}
	ctx, s := req.Context(), st.b.store
	if st.live {
		var old []byte
		if st.b.conflicts {
			old = st.data
		}
		switch err := s.Update(ctx, st.id, old, data, expiry); {
		case errors.Is(err, ErrRecordNotFound):
			// Destroyed, moved to a new ID or expired while this request
			// ran: it stays gone, and the client keeps whatever cookie it
			// has by now (see touch).
			return "", &StoreError{Op: "update", Err: err}
		case err != nil:
			return "", &StoreError{Op: "update", Err: err}
		}
		st.data = data
		return st.cookie(st.id, expires), nil
	}
	id, err := st.create(req, data, expiry)
	if err != nil {
		return "", err
	}
	st.id, st.data, st.live = id, data, true
	if err := st.deleteGone(req); err != nil {
		return "", err
	}
	cookie := st.cookie(id, expires)
	if loggedIn {
		// The session is saved either way; a failed index only keeps it
		// out of UserSessions and EndUserSessions.
		if err := st.b.index.add(ctx, user, id, now, req.UserAgent()); err != nil {
			return cookie, &StoreError{Op: "index", Err: err}
		}
	}
	return cookie, nil
}

// create stores data under a new ID. ErrRecordExists is honoured with
// another ID, a few times.
func (st *serverState) create(req *http.Request, data []byte, expiry time.Time) (string, error) {
	var err error
	for range maxCreateTries {
		id := newID()
		if err = st.b.store.Create(req.Context(), id, data, expiry); !errors.Is(err, ErrRecordExists) {
			if err != nil {
				return "", &StoreError{Op: "create", Err: err}
			}
			return id, nil
		}
	}
	return "", &StoreError{Op: "create", Err: err}
}

// remove deletes the session's record. The deletion cookie goes out
// whatever the store says: a logout never fails open.
func (st *serverState) remove(req *http.Request) error {
	if st.id != "" {
		st.gone, st.id, st.live = st.id, "", false
	}
	return st.deleteGone(req)
}

func (st *serverState) deleteGone(req *http.Request) error {
	if st.gone == "" {
		return nil
	}
	if err := st.b.store.Delete(req.Context(), st.gone); err != nil {
		return &StoreError{Op: "delete", Err: err}
	}
	st.gone = ""
	return nil
}

// decode reads a record: Flask-Session's, or Flask's tagged JSON.
func (b *serverBackend) decode(data []byte) (map[string]any, error) {
	if b.records != nil {
		return b.records.Decode(data)
	}
	return taggedjson.UnmarshalObject(data)
}

// encode writes a record as decode reads it.
func (b *serverBackend) encode(values map[string]any) ([]byte, error) {
	if b.records != nil {
		return b.records.Encode(values)
	}
	return taggedjson.Marshal(values)
}

// cookie is the Set-Cookie value carrying id: signed, and marked
// permanent when the cookie has an expiry; for Flask-Session, signed
// bare or not at all.
func (st *serverState) cookie(id string, expires time.Time) string {
	bp := headerBufs.Get()
	defer headerBufs.Put(bp)
	dst := append(*bp, st.b.format.name...)
	start := len(dst)
	dst = append(dst, id...)
	if st.b.records == nil && !expires.IsZero() {
		dst = append(dst, permanentSuffix...)
	}
	if !st.b.bareIDs {
		dst = st.b.signer.AppendSign(dst[:start], dst[start:])
	}
	dst = st.b.format.appendAttrs(dst, expires)
	*bp = dst
	return string(dst)
}

func newID() string {
	var b [idBytes]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}
