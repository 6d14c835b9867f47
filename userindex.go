package flasksession

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
)

// loginKey is Flask-Login's session key for the logged-in user's ID. A
// session holding it is a login: its record lives PermanentLifetime rather
// than AnonymousLifetime, and a server-side store indexes it by user.
const loginKey = "_user_id"

// loginOf returns the user a session is logged in as, if any.
func loginOf(values map[string]any) (string, bool) {
	user, ok := values[loginKey].(string)
	return user, ok && user != ""
}

// ErrNoStore: UserSessions, EndUserSessions or EndUserSession ran with the
// cookie store. Signed cookies are listed and ended nowhere; end a user's
// cookie sessions by changing what their sessions hold (flasklogin's
// RevokeLogins, Flask-Login's alternative tokens).
var ErrNoStore = errors.New("flasksession: no server-side store")

// SessionInfo describes one of a user's server-side sessions.
type SessionInfo struct {
	// Handle names the session for EndUserSession. It is not the session
	// ID and cannot be turned into one, so a page may show it.
	Handle string
	// Created is when the login was saved under this session's ID.
	Created time.Time
	// LastSeen is the last request that saved or refreshed the session
	// (its record's expiry less PermanentLifetime); zero when the store
	// cannot tell (it does not implement ExpiryReader).
	LastSeen time.Time
	// UserAgent is the User-Agent of the request that logged in.
	UserAgent string
	// Current is the session of the request that asked.
	Current bool
}

// UserSessions lists the live server-side sessions logged in as user (the
// "_user_id" they hold), newest first. Sessions are indexed when a login
// is saved under a new ID, as flasklogin's LoginUser does; the index forgets
// the ones that have ended as it lists them. It costs one Find of the index
// and one Expiry (or Find) per session; ordinary requests pay nothing.
func UserSessions(c *gin.Context, user string) ([]SessionInfo, error) {
	ix, current, now, err := userIndexOf(c)
	if err != nil {
		return nil, err
	}
	return ix.list(c.Request.Context(), user, current, now)
}

// EndUserSessions deletes every server-side session logged in as user, on
// every device at once, and reports how many it ended; keepCurrent spares
// the session of this request ("log out my other devices"). A session the
// index does not know (see UserSessions) is not ended: pair it with a
// change of what the sessions hold, as flasklogin.LogoutEverywhere does.
func EndUserSessions(c *gin.Context, user string, keepCurrent bool) (int, error) {
	ix, current, now, err := userIndexOf(c)
	if err != nil {
		return 0, err
	}
	if !keepCurrent {
		current = ""
	}
	return ix.end(c.Request.Context(), user, now, func(e indexEntry) bool { return e.ID != current })
}

// EndUserSession deletes one of user's server-side sessions, named by its
// SessionInfo.Handle. A handle that names none of user's live sessions
// gives ErrRecordNotFound.
func EndUserSession(c *gin.Context, user, handle string) error {
	ix, _, now, err := userIndexOf(c)
	if err != nil {
		return err
	}
	n, err := ix.end(c.Request.Context(), user, now, func(e indexEntry) bool { return sessionHandle(e.ID) == handle })
	if err == nil && n == 0 {
		err = ErrRecordNotFound
	}
	return err
}

// userIndexOf returns the index of the request's store, the ID of the
// request's own session ("" for none yet) and the request's time.
func userIndexOf(c *gin.Context) (*userIndex, string, time.Time, error) {
	s, ok := Lookup(c)
	if !ok {
		return nil, "", time.Time{}, ErrNoMiddleware
	}
	b, ok := s.r.m.backend.(*serverBackend)
	if !ok {
		return nil, "", time.Time{}, ErrNoStore
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load() // finds the request's own record ID
	var current string
	if st, ok := s.r.st.(*serverState); ok {
		current = st.id
	}
	return &b.index, current, s.clock(), nil
}

// A user's index is a record in the session store itself, so every Store
// has one: a JSON list of the user's sessions under an ID derived from the
// user, which no cookie can name (the middleware signs only the random IDs
// it mints). It is read-modify-written with Update's version check, so
// concurrent logins lose no entry.
type userIndex struct {
	store    Store
	lifetime time.Duration // Config.PermanentLifetime
}

// indexEntry is one session in a user's index.
type indexEntry struct {
	ID      string `json:"id"`
	Created int64  `json:"created"` // Unix seconds
	Agent   string `json:"agent,omitempty"`
}

const (
	// maxIndexEntries bounds an index: the oldest entries go first. A
	// session dropped from its index still ends with its login.
	maxIndexEntries = 64
	// maxIndexAgent bounds the User-Agent kept per entry.
	maxIndexAgent = 256
	// maxIndexTries bounds the retries of an index write that lost a race.
	maxIndexTries = 8
	// indexLifetimes is how many PermanentLifetimes an index outlives its
	// latest login: a session refreshed by use can outlive the login that
	// made it.
	indexLifetimes = 12
)

// errIndexBusy: an index write kept losing races.
var errIndexBusy = errors.New("flasksession: user index changed by other requests; gave up")

func indexID(user string) string {
	sum := sha256.Sum256([]byte("flasksession user index\x00" + user))
	return "u-" + base64.RawURLEncoding.EncodeToString(sum[:])
}

func sessionHandle(id string) string {
	sum := sha256.Sum256([]byte("flasksession session handle\x00" + id))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// add records a new session of user.
func (ix *userIndex) add(ctx context.Context, user, id string, now time.Time, agent string) error {
	if len(agent) > maxIndexAgent {
		agent = agent[:maxIndexAgent]
	}
	e := indexEntry{ID: id, Created: now.Unix(), Agent: agent}
	return ix.modify(ctx, user, now, func(es []indexEntry) []indexEntry {
		es = append([]indexEntry{e}, es...)
		return es[:min(len(es), maxIndexEntries)]
	})
}

// read returns user's index entries and the stored record; an unreadable
// record reads as empty, to be overwritten.
func (ix *userIndex) read(ctx context.Context, user string) (entries []indexEntry, data []byte, found bool, err error) {
	data, found, err = ix.store.Find(ctx, indexID(user))
	if err != nil || !found {
		return nil, nil, false, err
	}
	if json.Unmarshal(data, &entries) != nil {
		entries = nil
	}
	return entries, data, true, nil
}

// modify replaces user's entries with f's answer, retrying when another
// request wrote the index in between. An index is never deleted, only
// emptied: a Delete could drop an entry added meanwhile.
func (ix *userIndex) modify(ctx context.Context, user string, now time.Time, f func([]indexEntry) []indexEntry) error {
	id := indexID(user)
	expiry := now.Truncate(time.Second).Add(indexLifetimes * ix.lifetime)
	for range maxIndexTries {
		entries, old, found, err := ix.read(ctx, user)
		if err != nil {
			return err
		}
		next := f(slices.Clone(entries))
		if !found && len(next) == 0 {
			return nil
		}
		data, err := json.Marshal(next)
		if err != nil {
			return err
		}
		if found {
			err = ix.store.Update(ctx, id, old, data, expiry)
		} else {
			err = ix.store.Create(ctx, id, data, expiry)
		}
		if errors.Is(err, ErrConflict) || errors.Is(err, ErrRecordExists) || errors.Is(err, ErrRecordNotFound) {
			continue
		}
		return err
	}
	return errIndexBusy
}

// live reports whether the session under id still exists, and its
// record's expiry when the store can tell.
func (ix *userIndex) live(ctx context.Context, id string) (expiry time.Time, found bool, err error) {
	if er, ok := ix.store.(ExpiryReader); ok {
		if expiry, found, err = er.Expiry(ctx, id); err == nil {
			return expiry, found, nil
		}
		// Expiry refused (a Redis ACL without PEXPIRETIME, say): the
		// session is listed without LastSeen rather than not at all.
	}
	_, found, err = ix.store.Find(ctx, id)
	return time.Time{}, found, err
}

// list is UserSessions.
func (ix *userIndex) list(ctx context.Context, user, current string, now time.Time) ([]SessionInfo, error) {
	entries, _, _, err := ix.read(ctx, user)
	if err != nil {
		return nil, err
	}
	var infos []SessionInfo
	dead := map[string]bool{}
	for _, e := range entries {
		expiry, found, err := ix.live(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		if !found {
			dead[e.ID] = true
			continue
		}
		info := SessionInfo{Handle: sessionHandle(e.ID), Created: time.Unix(e.Created, 0).UTC(), UserAgent: e.Agent, Current: e.ID == current}
		if !expiry.IsZero() {
			info.LastSeen = expiry.Add(-ix.lifetime).UTC()
			if info.LastSeen.Before(info.Created) {
				info.LastSeen = info.Created
			}
		}
		infos = append(infos, info)
	}
	if len(dead) > 0 {
		err := ix.modify(ctx, user, now, func(es []indexEntry) []indexEntry {
			return slices.DeleteFunc(es, func(e indexEntry) bool { return dead[e.ID] })
		})
		if err != nil {
			return nil, err
		}
	}
	return infos, nil
}

// end deletes the sessions of user that match and drops them from the
// index, with those that have ended by themselves; it reports how many
// live ones it ended.
func (ix *userIndex) end(ctx context.Context, user string, now time.Time, match func(indexEntry) bool) (int, error) {
	entries, _, _, err := ix.read(ctx, user)
	if err != nil {
		return 0, err
	}
	ended := map[string]bool{}
	n := 0
	for _, e := range entries {
		if !match(e) {
			continue
		}
		_, found, err := ix.live(ctx, e.ID)
		if err != nil {
			return n, err
		}
		if err := ix.store.Delete(ctx, e.ID); err != nil {
			return n, err
		}
		ended[e.ID] = true
		if found {
			n++
		}
	}
	if len(ended) == 0 {
		return 0, nil
	}
	return n, ix.modify(ctx, user, now, func(es []indexEntry) []indexEntry {
		return slices.DeleteFunc(es, func(e indexEntry) bool { return ended[e.ID] })
	})
}
