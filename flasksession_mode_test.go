package flasksession

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/flaskrecord"
	"github.com/ginflask/flasksession/internal/webtest"
	"github.com/ginflask/flasksession/itsdangerous"
)

// Tests of Config.FlaskSession: Flask-Session's records and ID cookies on
// a Store. The live tests against Flask-Session itself are in
// flasksession_live_test.go and example/.

// flaskRecord is pickle.dumps({'_permanent': True, 'user': 'bob',
// '_flashes': [('message', 'hi from Flask')]}) by CPython 3.11: a record
// as Flask-Session 0.3.2 stores it.
const flaskRecord = "8004954a000000000000007d94288c0a5f7065726d616e656e7494888c0475736572948c03626f62948c085f666c6173686573945d948c076d657373616765948c0d68692066726f6d20466c61736b94869461752e"

// Flask-Session's IDs: a uuid4 (0.3 to 0.5) and a token_urlsafe(32) (0.6+).
const (
	uuidID  = "0b9d6d3e-6c5a-4a57-9d6e-0f4ed0a4d2c1"
	tokenID = "AQaeLt-8hkIbuDQ_5A4Mo_jDHqdtAcPrSq9e3X9SCrI"
)

func fsConfig(f flaskrecord.Format, signed bool) Config {
	return Config{FlaskSession: &FlaskSession{Codec: flaskrecord.Codec{Format: f}, UseSigner: signed}}
}

// fsSigner signs IDs as Flask-Session's SESSION_USE_SIGNER does.
func fsSigner(t *testing.T) *itsdangerous.Signer {
	t.Helper()
	s, err := itsdangerous.NewSigner([][]byte{testSecret}, itsdangerous.SignerConfig{Salt: []byte("flask-session"), KeyDerivation: itsdangerous.DeriveHMAC})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fsCookieID returns the store ID a Flask-Session cookie value carries.
func fsCookieID(t *testing.T, value string, signed bool) string {
	t.Helper()
	if !signed {
		return value
	}
	return webtest.SignedID(t, testSecret, value)
}

func TestFlaskSession_Validate(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"with a store", Config{Store: newTestStore(), FlaskSession: &FlaskSession{}}, true},
		{"no store", Config{FlaskSession: &FlaskSession{}}, false},
		{"unknown format", Config{Store: newTestStore(), FlaskSession: &FlaskSession{Codec: flaskrecord.Codec{Format: 7}}}, false},
	} {
		tt.cfg.SecretKey = testSecret
		err := tt.cfg.Validate()
		var ce *ConfigError
		if tt.ok != (err == nil) || (!tt.ok && (!errors.As(err, &ce) || ce.Field != "FlaskSession" || !errors.Is(err, ErrInvalidConfig))) {
			t.Errorf("%s: Validate() = %v, want ok=%v (a ConfigError on FlaskSession otherwise)", tt.name, err, tt.ok)
		}
	}
}

// The record is in the chosen format, the cookie is the ID (signed bare or
// not at all, never with the ":p" mark), the store key is that ID, and a
// permanent session's record says so with "_permanent", as Flask's does.
func TestFlaskSession_RecordAndCookie(t *testing.T) {
	for _, f := range []flaskrecord.Format{flaskrecord.Pickle, flaskrecord.MsgPack, flaskrecord.JSON} {
		for _, signed := range []bool{true, false} {
			for _, permanent := range []bool{false, true} {
				b := memKind.setup(t)
				a := b.app(t, fsConfig(f, signed))
				tc := a.client()
				path := "/login?user=ann"
				if permanent {
					path += "&permanent=1"
				}
				raw, _ := tc.get(path).Cookie(t, DefaultCookieName)
				name := f.String() + map[bool]string{true: " signed", false: " bare"}[signed] + map[bool]string{true: " permanent", false: ""}[permanent]
				c, err := http.ParseSetCookie(raw)
				if err != nil {
					t.Fatalf("%s: Set-Cookie %q: %v", name, raw, err)
				}
				if strings.Contains(c.Value, ":p") {
					t.Errorf("%s: cookie %q carries the :p mark", name, c.Value)
				}
				if (c.RawExpires != "") != permanent {
					t.Errorf("%s: Set-Cookie %q: Expires %q, want one only when permanent", name, raw, c.RawExpires)
				}
				id := fsCookieID(t, c.Value, signed)
				if len(id) != 43 || !isMintedID(id) {
					t.Errorf("%s: ID %q is not 43 URL-safe characters", name, id)
				}
				data, ok := b.store.record(id)
				if !ok {
					t.Fatalf("%s: no record under the cookie's ID %q", name, id)
				}
				values, got, err := flaskrecord.Codec{}.DecodeFormat(data)
				if err != nil || got != f {
					t.Fatalf("%s: record %q read as %v, %v", name, data, got, err)
				}
				if values["user"] != "ann" || (values[PermanentKey] == true) != permanent {
					t.Errorf("%s: record holds %v", name, values)
				}
				if f == flaskrecord.Pickle && !bytes.HasPrefix(data, []byte{0x80, 4}) {
					t.Errorf("%s: record %x is not a protocol 4 pickle", name, data[:2])
				}
				if got := tc.get("/whoami").Body; got != "ann" {
					t.Errorf("%s: whoami = %q", name, got)
				}
			}
		}
	}
}

// A session Flask-Session wrote (a pickle under a uuid4 or token_urlsafe
// ID) is read, its flashes included, and a permanent one is refreshed by a
// request that does not use it: Find, then Touch, no rewrite.
func TestFlaskSession_ReadsFlaskRecords(t *testing.T) {
	rec, _ := hex.DecodeString(flaskRecord)
	for _, signed := range []bool{true, false} {
		for _, id := range []string{uuidID, tokenID} {
			b := memKind.setup(t)
			if err := b.store.Create(t.Context(), id, rec, time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			a := b.app(t, fsConfig(flaskrecord.Pickle, signed))
			a.GET("/nothing", func(c *gin.Context) { c.String(http.StatusOK, "") })
			cookie := id
			if signed {
				cookie = string(fsSigner(t).Sign([]byte(id)))
			}
			tc := a.client()
			tc.SetCookie(DefaultCookieName, cookie)
			if got := tc.get("/whoami").Body; got != "bob" {
				t.Errorf("signed=%v %s: whoami = %q, want bob; errors %v", signed, id, got, a.hooked.all())
			}
			finds, touches, updates := b.store.count("Find"), b.store.count("Touch"), b.store.count("Update")
			r := tc.get("/nothing")
			if v := r.CookieValue(t, DefaultCookieName); v != cookie {
				t.Errorf("signed=%v %s: refresh sent %q, want the same cookie %q", signed, id, v, cookie)
			}
			if d := [3]int{b.store.count("Find") - finds, b.store.count("Touch") - touches, b.store.count("Update") - updates}; d != [3]int{1, 1, 0} {
				t.Errorf("signed=%v %s: untouched request: finds, touches, updates = %v, want [1 1 0]", signed, id, d)
			}
			if got := tc.get("/flashes").Body; got != "message:hi from Flask" {
				t.Errorf("signed=%v %s: flashes = %q", signed, id, got)
			}
			if data, _ := b.store.record(id); bytes.Contains(data, []byte("_flashes")) {
				t.Errorf("signed=%v %s: the flash was not taken out of the record", signed, id)
			}
		}
	}
}

// A browser-session (non-permanent) record is not refreshed: one Find,
// no Touch and no cookie.
func TestFlaskSession_NoRefreshOfBrowserSession(t *testing.T) {
	b := memKind.setup(t)
	a := b.app(t, fsConfig(flaskrecord.Pickle, true))
	a.GET("/nothing", func(c *gin.Context) { c.String(http.StatusOK, "") })
	tc := a.client()
	tc.get("/login")
	touches := b.store.count("Touch")
	if _, ok := tc.get("/nothing").Cookie(t, DefaultCookieName); ok || b.store.count("Touch") != touches {
		t.Errorf("a browser session was refreshed (cookie sent %v, touches %d)", ok, b.store.count("Touch")-touches)
	}
}

// Unlike Flask-Session 0.3.2, which adopts an ID it has no record of,
// the middleware never saves under an ID the client chose; and a bare ID
// that is not shaped like one the middleware or Flask-Session mints never
// reaches the store at all (the user index's IDs, say).
func TestFlaskSession_ClientIDs(t *testing.T) {
	for _, tt := range []struct {
		name, cookie string
		signed       bool
		finds        int
		rejected     bool
	}{
		{"unknown signed uuid4", uuidID, true, 1, false},
		{"unknown bare token", tokenID, false, 1, false},
		{"unknown bare uuid4", uuidID, false, 1, false},
		{"user index ID", indexID("alice"), false, 0, true},
		{"too long", tokenID + "x", false, 0, true},
		{"bad characters", strings.Repeat("a", 35) + ".", false, 0, true},
		{"with the :p mark", tokenID[:41] + ":p", false, 0, true},
		{"bad signature", uuidID + ".AAAAAAAAAAAAAAAAAAAAAAAAAAA", true, 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := memKind.setup(t)
			a := b.app(t, fsConfig(flaskrecord.Pickle, tt.signed))
			cookie := tt.cookie
			if tt.signed && !tt.rejected {
				cookie = string(fsSigner(t).Sign([]byte(cookie)))
			}
			tc := a.client()
			tc.SetCookie(DefaultCookieName, cookie)
			v := tc.get("/login?user=eve").CookieValue(t, DefaultCookieName)
			id := fsCookieID(t, v, tt.signed)
			if id == tt.cookie || !isMintedID(id) || len(id) != 43 {
				t.Errorf("saved under %q; want a fresh ID, not the client's %q", id, tt.cookie)
			}
			if n := b.store.count("Find"); n != tt.finds {
				t.Errorf("Find called %d times, want %d", n, tt.finds)
			}
			if got := a.hooked.count(ErrInvalidCookie); (got > 0) != tt.rejected {
				t.Errorf("ErrInvalidCookie reported %d times, want rejected=%v", got, tt.rejected)
			}
		})
	}
}

// The ID is new at login and gone at logout, as with the middleware's own
// records.
func TestFlaskSession_RegenerateAndDestroy(t *testing.T) {
	b := memKind.setup(t)
	a := b.app(t, fsConfig(flaskrecord.MsgPack, true))
	tc := a.client()
	tc.get("/login?user=amy")
	before := fsCookieID(t, tc.sessionValue(), true)
	tc.get("/regenerate?user=amy")
	after := fsCookieID(t, tc.sessionValue(), true)
	if before == after || b.hasRecord(t, before) || !b.hasRecord(t, after) {
		t.Errorf("regenerate: %q → %q; old record kept %v, new one there %v", before, after, b.hasRecord(t, before), b.hasRecord(t, after))
	}
	tc.get("/logout")
	if b.hasRecord(t, after) {
		t.Errorf("logout left the record %q", after)
	}
}

// An unreadable record (a pickle that would run code) is refused, not
// run: the request gets an empty session, the error names the global,
// and the next save moves to a new ID and deletes the record.
func TestFlaskSession_UnreadableRecord(t *testing.T) {
	b := memKind.setup(t)
	// pickle.dumps of an object whose __reduce__ is (os.system, ('id',)).
	evil, _ := hex.DecodeString("8004951d000000000000008c05706f736978948c0673797374656d9493948c02696494859452942e")
	if err := b.store.Create(t.Context(), tokenID, evil, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	a := b.app(t, fsConfig(flaskrecord.Pickle, false))
	tc := a.client()
	tc.SetCookie(DefaultCookieName, tokenID)
	if got := tc.get("/whoami").Body; got != "" {
		t.Errorf("whoami = %q from a refused record", got)
	}
	var refused *flaskrecord.PickleRefusedError
	errs := a.hooked.all()
	if len(errs) != 1 || !errors.Is(errs[0], ErrInvalidCookie) || !errors.As(errs[0], &refused) {
		t.Fatalf("errors %v: want one ErrInvalidCookie wrapping a *flaskrecord.PickleRefusedError", errs)
	}
	tc.get("/login")
	if b.hasRecord(t, tokenID) || tc.sessionValue() == tokenID {
		t.Errorf("the refused record was kept, or its ID reused")
	}
}

// A Flask-Session app's pickles keep working when the Go side writes
// msgpack or JSON: read as they are, rewritten in the new format at their
// next save, nothing lost (docs/server-side.md: changing formats).
func TestFlaskSession_MigratesPickles(t *testing.T) {
	rec, _ := hex.DecodeString(flaskRecord)
	for _, f := range []flaskrecord.Format{flaskrecord.MsgPack, flaskrecord.JSON} {
		b := memKind.setup(t)
		if err := b.store.Create(t.Context(), uuidID, rec, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		a := b.app(t, fsConfig(f, false))
		tc := a.client()
		tc.SetCookie(DefaultCookieName, uuidID)
		if got := tc.get("/whoami").Body; got != "bob" {
			t.Fatalf("%v: whoami = %q on a pickle", f, got)
		}
		tc.get("/touch")
		data, _ := b.store.record(uuidID)
		values, got, err := flaskrecord.Codec{}.DecodeFormat(data)
		if err != nil || got != f {
			t.Fatalf("%v: after a save the record is %v (%v)", f, got, err)
		}
		if values["user"] != "bob" || values[PermanentKey] != true || values["touched"] != true {
			t.Errorf("%v: rewritten record holds %v", f, values)
		}
		if tc.sessionValue() != uuidID {
			t.Errorf("%v: the ID changed from %q to %q without a login", f, uuidID, tc.sessionValue())
		}
	}
}
