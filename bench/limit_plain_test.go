package bench

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// The plain limit: the limit's work (limit_test.go, the same functions)
// called as a plain function on a request's Cookie header value, with no
// router, no middleware, no http.Request and no header map around it.
// Each scenario is one call that reads the clock, finds the session
// cookie in the header's value and does what the scenario asks: verify,
// decode and scan the session, re-encode and sign it, and build the one
// Set-Cookie value (a string, which the call returns instead of putting
// into a response). What gin, the response's header map and a
// middleware add to that is what a whole request costs on top
// (docs/benchmarks.md, "The two limits").

// plainResult is what a plain call hands back: the response body a
// handler would write, and the Set-Cookie value ("" for none).
type plainResult struct {
	body      string
	setCookie string
}

// plain returns the plain limit's function for sc. Untouched has none:
// it does no session work at all.
func (l *limit) plain(sc scenario) func(cookieHeader string) (plainResult, error) {
	switch sc {
	case untouchedCookie:
		return func(cookieHeader string) (plainResult, error) {
			value, ok := limitCookieIn(cookieHeader)
			if l.permanentValue(value, ok, time.Now().Unix()) {
				return plainResult{}, errLimitPermanent // Flask would refresh it
			}
			return plainResult{body: "ok"}, nil
		}
	case newSet:
		return func(cookieHeader string) (plainResult, error) {
			now := time.Now().Unix()
			value, ok := limitCookieIn(cookieHeader)
			m := l.loadValue(value, ok, now)
			m["username"] = username
			v, err := l.setCookie(m, now)
			return plainResult{body: "ok", setCookie: v}, err
		}
	case readOnly:
		return func(cookieHeader string) (plainResult, error) {
			value, ok := limitCookieIn(cookieHeader)
			m := l.loadValue(value, ok, time.Now().Unix())
			v, _ := m["username"].(string)
			return plainResult{body: v}, nil
		}
	case readModifySave:
		return func(cookieHeader string) (plainResult, error) {
			now := time.Now().Unix()
			value, ok := limitCookieIn(cookieHeader)
			m := l.loadValue(value, ok, now)
			v, _ := m["username"].(string)
			m["login_at"] = loginAt + 1
			set, err := l.setCookie(m, now)
			return plainResult{body: v, setCookie: set}, err
		}
	}
	return nil
}

// plainScenarios are the scenarios the plain limit has a function for.
var plainScenarios = []scenario{untouchedCookie, newSet, readOnly, readModifySave}

// plainCookieHeader is the Cookie header value sc's request carries: the
// 5-key session as the limit's gin app mints it ("" for none).
func plainCookieHeader(tb testing.TB, sc scenario) string {
	if !sc.sendsCookie() {
		return ""
	}
	gin.SetMode(gin.ReleaseMode)
	return mintCookie(tb, ginLimit(tb, sc))
}

var plainSink plainResult

// BenchmarkPlain: the plain limit on each scenario, one call per
// iteration. Compare it with BenchmarkGin's flasksession less bare gin
// of the same round (benchtables does).
func BenchmarkPlain(b *testing.B) {
	for _, sc := range plainScenarios {
		b.Run(sc.String()+"/limit", func(b *testing.B) {
			l := newLimit(signingKey)
			f := l.plain(sc)
			header := plainCookieHeader(b, sc)
			if got, err := f(header); err != nil || got.body != sc.body() || (got.setCookie != "") != sc.saves() {
				b.Fatalf("%v: %+v, %v", sc, got, err)
			}
			b.ReportAllocs()
			for b.Loop() {
				plainSink, _ = f(header)
			}
		})
	}
}

// TestPlainLimitMatchesGinLimit: on every scenario the plain limit
// answers what the limit's gin app answers for the same Cookie header,
// body and Set-Cookie value byte for byte (so flasksession's too:
// TestLimitMatchesFlaskSession). An attempt that straddles a second is
// retried.
func TestPlainLimitMatchesGinLimit(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	for _, sc := range plainScenarios {
		t.Run(sc.String(), func(t *testing.T) {
			header := plainCookieHeader(t, sc)
			h, f := ginLimit(t, sc), newLimit(signingKey).plain(sc)
			for attempt := 1; ; attempt++ {
				start := time.Now().Unix()
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				if header != "" {
					req.Header.Set("Cookie", header)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				got, err := f(header)
				if time.Now().Unix() != start {
					if attempt == 5 {
						t.Fatal("the clock's second changed during each of 5 attempts")
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if got.body != rec.Body.String() {
					t.Errorf("body %q, the gin limit's %q", got.body, rec.Body)
				}
				want := rec.Result().Header.Get("Set-Cookie")
				if got.setCookie != want {
					t.Errorf("Set-Cookie:\nplain %q\ngin   %q", got.setCookie, want)
				}
				return
			}
		})
	}
}
