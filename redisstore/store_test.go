package redisstore_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-contrib/sessions/memstore"
	ginredis "github.com/gin-contrib/sessions/redis"
	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/redistest"
	"github.com/ginflask/flasksession/redisstore"
	redigo "github.com/gomodule/redigo/redis"
	"github.com/gorilla/securecookie"
)

func init() { gin.SetMode(gin.TestMode) }

var hashKey = []byte("redisstore test hash key, at least 32 bytes")

func closeStore(t testing.TB, s ginredis.Store) {
	t.Cleanup(func() {
		if rs, err := ginredis.GetRedisStore(s); err == nil {
			_ = rs.Close()
		}
	})
}

// engine is a gin app on store with a login and a whoami route.
func engine(store ginredis.Store) *gin.Engine {
	r := gin.New()
	r.Use(flasksession.New(flasksession.Config{Store: store}))
	r.GET("/login", func(c *gin.Context) {
		s := flasksession.Get(c)
		s.Set("user", c.DefaultQuery("user", "alice"))
		s.Set("blob", c.Query("blob"))
		c.String(http.StatusOK, "%v", s.Save())
	})
	r.GET("/whoami", func(c *gin.Context) {
		u, _ := flasksession.Get(c).GetString("user")
		c.String(http.StatusOK, u)
	})
	return r
}

// do runs one request; cookie is the session cookie value to send.
func do(r http.Handler, path, cookie string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "session", Value: cookie})
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	return w
}

func sessionCookie(t testing.TB, w *httptest.ResponseRecorder) string {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == "session" {
			return c.Value
		}
	}
	t.Fatalf("no session cookie; body %q, headers %v", w.Body.String(), w.Header())
	return ""
}

func idOf(t testing.TB, value string) string {
	t.Helper()
	var id string
	if err := securecookie.DecodeMulti("session", value, &id, securecookie.CodecsFromPairs(hashKey)...); err != nil {
		t.Fatal(err)
	}
	return id
}

func redisGet(t testing.TB, conn redigo.Conn, key string) string {
	t.Helper()
	s, err := redigo.String(conn.Do("GET", key))
	if err != nil {
		t.Fatalf("GET %s: %v", key, err)
	}
	return s
}

// NewStore gives a store the middleware can use at once: records are
// readable JSON, and a 20 KB session fits.
func TestNewStore(t *testing.T) {
	srv := redistest.Start(t)
	s, err := redisstore.NewStore(2, "tcp", srv.Addr, "", "", hashKey)
	if err != nil {
		t.Fatal(err)
	}
	closeStore(t, s)
	r := engine(s)
	blob := strings.Repeat("é", 10<<10) // 20 KB of UTF-8; 60 KB escaped
	w := do(r, "/login?blob="+blob, "")
	if w.Body.String() != "<nil>" {
		t.Fatalf("save: %s", w.Body)
	}
	cookie := sessionCookie(t, w)
	if got := do(r, "/whoami", cookie).Body.String(); got != "alice" {
		t.Errorf("whoami = %q", got)
	}
	conn, err := redigo.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rec := redisGet(t, conn, "session_"+idOf(t, cookie))
	if !strings.HasPrefix(rec, `{"saved_at":`) || !strings.Contains(rec, `"user":"alice"`) || !strings.Contains(rec, `\u00e9`) {
		t.Errorf("record is not the readable JSON expected: %.120s...", rec)
	}
}

// A store made by gin-contrib directly is made ready by Configure, and
// SetKeyPrefix still applies.
func TestConfigure(t *testing.T) {
	srv := redistest.Start(t)
	s, err := ginredis.NewStore(2, "tcp", srv.Addr, "", "", hashKey)
	if err != nil {
		t.Fatal(err)
	}
	closeStore(t, s)
	if err := ginredis.SetKeyPrefix(s, "myapp:session:"); err != nil {
		t.Fatal(err)
	}
	r := engine(s)
	big := strings.Repeat("x", 20<<10)
	if got := do(r, "/login?blob="+big, "").Body.String(); !strings.Contains(got, "session store save") {
		t.Errorf("unconfigured store saved a 20 KB record: %q", got)
	}
	if err := redisstore.Configure(s); err != nil {
		t.Fatal(err)
	}
	w := do(r, "/login?blob="+big, "")
	if w.Body.String() != "<nil>" {
		t.Fatalf("configured store: %s", w.Body)
	}
	conn, err := redigo.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rec := redisGet(t, conn, "myapp:session:"+idOf(t, sessionCookie(t, w)))
	if !strings.HasPrefix(rec, `{"saved_at":`) {
		t.Errorf("record %.60q is not JSON", rec)
	}
}

func TestConfigureRefusesOtherStores(t *testing.T) {
	err := redisstore.Configure(memstore.NewStore(hashKey))
	if !errors.Is(err, redisstore.ErrNotRedisStore) {
		t.Fatalf("got %v, want ErrNotRedisStore", err)
	}
}

// NewStoreWithURL reaches Redis by URL; the database number in it applies.
func TestNewStoreWithURL(t *testing.T) {
	srv := redistest.Start(t)
	s, err := redisstore.NewStoreWithURL(2, "redis://"+srv.Addr+"/3", hashKey)
	if err != nil {
		t.Fatal(err)
	}
	closeStore(t, s)
	r := engine(s)
	cookie := sessionCookie(t, do(r, "/login?user=erin", ""))
	if got := do(r, "/whoami", cookie).Body.String(); got != "erin" {
		t.Errorf("whoami = %q", got)
	}
	conn, err := redigo.Dial("tcp", srv.Addr, redigo.DialDatabase(3))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if n, _ := redigo.Int(conn.Do("EXISTS", "session_"+idOf(t, cookie))); n != 1 {
		t.Errorf("the record is not in database 3")
	}
}

func TestNewStoreErrors(t *testing.T) {
	closed := closedAddr(t)
	tests := []struct {
		name string
		open func() (ginredis.Store, error)
		want string
	}{
		{"no key", func() (ginredis.Store, error) { return redisstore.NewStore(1, "tcp", closed, "", "") }, "needs a key"},
		{"empty key", func() (ginredis.Store, error) { return redisstore.NewStore(1, "tcp", closed, "", "", nil) }, "needs a key"},
		{"URL without key", func() (ginredis.Store, error) { return redisstore.NewStoreWithURL(1, "redis://"+closed) }, "needs a key"},
		{"unreachable", func() (ginredis.Store, error) { return redisstore.NewStore(1, "tcp", closed, "", "", hashKey) }, "cannot reach Redis at tcp " + closed},
		{"unreachable URL", func() (ginredis.Store, error) { return redisstore.NewStoreWithURL(1, "redis://"+closed, hashKey) }, "cannot reach Redis"},
		{"bad URL", func() (ginredis.Store, error) { return redisstore.NewStoreWithURL(1, "http://x", hashKey) }, "cannot reach Redis"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.open()
			if err == nil {
				t.Fatalf("got a store %v", s)
			}
			if !strings.HasPrefix(err.Error(), "flasksession: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want one containing %q", err, tt.want)
			}
		})
	}
}

// closedAddr is a loopback address nobody listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// The middleware expires sessions by its lifetime (default 31 days);
// securecookie's own 30-day limit on the ID cookie must not cut that
// short. A 40-day-old ID cookie is still accepted when the record exists.
func TestOldIDCookieAccepted(t *testing.T) {
	srv := redistest.Start(t)
	conn, err := redigo.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const id = "OLDSESSIONID"
	if _, err := conn.Do("SET", "session_"+id, fmt.Sprintf(`{"saved_at":%d,"session":{"user":"frank"}}`, time.Now().Unix())); err != nil {
		t.Fatal(err)
	}
	old := signAt(t, "session", id, time.Now().Add(-40*24*time.Hour))

	plain, err := ginredis.NewStore(1, "tcp", srv.Addr, "", "", hashKey)
	if err != nil {
		t.Fatal(err)
	}
	closeStore(t, plain)
	if got := do(engine(plain), "/whoami", old).Body.String(); got != "" {
		t.Fatalf("gin-contrib's store as it comes accepted a 40-day-old ID (%q); the test's cookie is wrong", got)
	}
	s, err := redisstore.NewStore(1, "tcp", srv.Addr, "", "", hashKey)
	if err != nil {
		t.Fatal(err)
	}
	closeStore(t, s)
	if got := do(engine(s), "/whoami", old).Body.String(); got != "frank" {
		t.Errorf("whoami with a 40-day-old ID cookie = %q, want frank", got)
	}
}

// signAt is securecookie.Encode of id (gob-encoded string) with the
// timestamp at, which securecookie does not let callers choose.
func signAt(t *testing.T, name, id string, at time.Time) string {
	t.Helper()
	// Take the gob bytes from a real encoding: "name|date|value|mac".
	fresh, err := securecookie.New(hashKey, nil).Encode(name, id)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.URLEncoding.DecodeString(fresh)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.SplitN(string(raw), "|", 3)
	value := parts[1]
	b := name + "|" + strconv.FormatInt(at.Unix(), 10) + "|" + value
	mac := hmac.New(sha256.New, hashKey)
	mac.Write([]byte(b))
	signed := strings.TrimPrefix(b, name+"|") + "|" + string(mac.Sum(nil))
	return base64.URLEncoding.EncodeToString([]byte(signed))
}

// The least-privilege setup of docs/server-side.md works: an ACL user
// limited to GET, SETEX, DEL and PING on its own key prefix, reached by URL
// with a user name and password.
func TestLeastPrivilegeACL(t *testing.T) {
	srv := redistest.Start(t)
	admin, err := redigo.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Do("ACL", "SETUSER", "myapp-sessions", "on", ">long-random-password",
		"~myapp:session:*", "+get", "+setex", "+del", "+ping"); err != nil {
		t.Fatal(err)
	}
	s, err := redisstore.NewStoreWithURL(2, "redis://myapp-sessions:long-random-password@"+srv.Addr+"/0", hashKey)
	if err != nil {
		t.Fatal(err)
	}
	closeStore(t, s)
	if err := ginredis.SetKeyPrefix(s, "myapp:session:"); err != nil {
		t.Fatal(err)
	}
	r := engine(s)
	r.GET("/logout", func(c *gin.Context) { flasksession.Get(c).Destroy() })
	w := do(r, "/login?user=gina", "")
	if w.Body.String() != "<nil>" {
		t.Fatalf("save under the ACL: %s", w.Body)
	}
	cookie := sessionCookie(t, w)
	if got := do(r, "/whoami", cookie).Body.String(); got != "gina" {
		t.Errorf("whoami = %q", got)
	}
	do(r, "/logout", cookie)
	if got := do(r, "/whoami", cookie).Body.String(); got != "" {
		t.Errorf("after logout, whoami = %q", got)
	}
	// The same user cannot touch another prefix.
	s2, err := redisstore.NewStoreWithURL(1, "redis://myapp-sessions:long-random-password@"+srv.Addr, hashKey)
	if err != nil {
		t.Fatal(err)
	}
	closeStore(t, s2)
	if got := do(engine(s2), "/login", "").Body.String(); !strings.Contains(got, "NOPERM") {
		t.Errorf("a save under session_ was allowed: %q", got)
	}
}
