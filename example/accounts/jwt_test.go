package main

import (
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/webtest"
)

// apiCall sends method base+path with the bearer token (none when ""),
// and body as JSON when not "", and returns the answer.
func apiCall(t *testing.T, method, base, path, token, body string) response {
	t.Helper()
	c := webtest.NewHTTP(t)
	var req *http.Request
	if body == "" {
		req = c.Request(method, base+path, nil)
	} else {
		req = c.Request(method, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return response{c.Send(req), t}
}

// apiTokens logs name in through base's /api/login and returns its access
// and refresh tokens.
func apiTokens(t *testing.T, base, name string) (access, refresh string) {
	t.Helper()
	r := apiCall(t, "POST", base, "/api/login", "", `{"username": "`+name+`"}`)
	var v struct {
		Access  string `json:"access_token"`
		Refresh string `json:"refresh_token"`
	}
	if r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &v) != nil || v.Access == "" || v.Refresh == "" {
		t.Fatalf("POST %s/api/login: %d %s", base, r.Status, r.Body)
	}
	return v.Access, v.Refresh
}

// bothSay checks that both apps answer method path with token as want
// (status and body, byte for byte).
func bothSay(t *testing.T, a apps, method, path, token string, status int, body string) {
	t.Helper()
	for _, base := range []string{a.gin, a.flask} {
		if r := apiCall(t, method, base, path, token, ""); r.Status != status || r.Body != body {
			t.Errorf("%s %s%s: %d %q, want %d %q", method, base, path, r.Status, r.Body, status, body)
		}
	}
}

// TestJWTTwins: the JSON API of both apps on one key and one blocklist.
// Tokens made by either app are accepted by both, refresh tokens of
// either refresh on both, a refresh token is no access token, and a token
// revoked through either app's /api/logout is refused by both, with
// Flask-JWT-Extended's statuses and bodies on both.
func TestJWTTwins(t *testing.T) {
	a := startApps(t, "basic")
	names := map[string]string{a.gin: "gin-user", a.flask: "flask-user"}
	other := map[string]string{a.gin: a.flask, a.flask: a.gin}

	// Logging in needs a user name; the same refusal on both.
	for _, body := range []string{`{}`, `{"username": ""}`, `{"username": 7}`, `not json`, `[]`} {
		for _, base := range []string{a.gin, a.flask} {
			r := apiCall(t, "POST", base, "/api/login", "", body)
			if r.Status != http.StatusBadRequest || r.Body != "{\"msg\":\"Missing username\"}\n" {
				t.Errorf("POST %s/api/login %s: %d %q", base, body, r.Status, r.Body)
			}
		}
	}

	bothSay(t, a, "GET", "/api/whoami", "", http.StatusUnauthorized, "{\"msg\":\"Missing Authorization Header\"}\n")
	bothSay(t, a, "POST", "/api/refresh", "", http.StatusUnauthorized, "{\"msg\":\"Missing Authorization Header\"}\n")
	bothSay(t, a, "POST", "/api/logout", "", http.StatusUnauthorized, "{\"msg\":\"Missing Authorization Header\"}\n")

	for _, base := range []string{a.gin, a.flask} {
		name := names[base]
		whoami := "{\"user\":\"" + name + "\"}\n"
		access, refresh := apiTokens(t, base, name)

		// The access token works on both.
		bothSay(t, a, "GET", "/api/whoami", access, http.StatusOK, whoami)

		// The refresh token refreshes on the other app; the new access
		// token works on both.
		r := apiCall(t, "POST", other[base], "/api/refresh", refresh, "")
		var v struct {
			Access string `json:"access_token"`
		}
		if r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &v) != nil || v.Access == "" || strings.Contains(r.Body, "refresh_token") {
			t.Fatalf("POST %s/api/refresh with %s's refresh token: %d %s", other[base], base, r.Status, r.Body)
		}
		bothSay(t, a, "GET", "/api/whoami", v.Access, http.StatusOK, whoami)

		// A refresh token is no access token, and the other way round.
		bothSay(t, a, "GET", "/api/whoami", refresh, http.StatusUnprocessableEntity, "{\"msg\":\"Only non-refresh tokens are allowed\"}\n")
		bothSay(t, a, "POST", "/api/refresh", access, http.StatusUnprocessableEntity, "{\"msg\":\"Only refresh tokens are allowed\"}\n")

		// Logging out on the other app revokes the token on both; the
		// refreshed access token still works.
		if r := apiCall(t, "POST", other[base], "/api/logout", access, ""); r.Status != http.StatusOK || r.Body != "{\"msg\":\"Token revoked\"}\n" {
			t.Errorf("POST %s/api/logout: %d %q", other[base], r.Status, r.Body)
		}
		revoked := "{\"msg\":\"Token has been revoked\"}\n"
		bothSay(t, a, "GET", "/api/whoami", access, http.StatusUnauthorized, revoked)
		bothSay(t, a, "POST", "/api/logout", access, http.StatusUnauthorized, revoked)
		bothSay(t, a, "GET", "/api/whoami", v.Access, http.StatusOK, whoami)

		// Logging out on the same app.
		if r := apiCall(t, "POST", base, "/api/logout", v.Access, ""); r.Status != http.StatusOK || r.Body != "{\"msg\":\"Token revoked\"}\n" {
			t.Errorf("POST %s/api/logout: %d %q", base, r.Status, r.Body)
		}
		bothSay(t, a, "GET", "/api/whoami", v.Access, http.StatusUnauthorized, revoked)
	}
}

// A user name beyond ASCII comes back as both apps' jsonify writes it.
func TestJWTUnicodeName(t *testing.T) {
	a := startApps(t, "basic")
	const name = "Zoë <&> \U0001F600 \u2028"
	js, _ := json.Marshal(map[string]string{"username": name})
	for _, base := range []string{a.gin, a.flask} {
		r := apiCall(t, "POST", base, "/api/login", "", string(js))
		var v struct {
			Access string `json:"access_token"`
		}
		if r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &v) != nil {
			t.Fatalf("POST %s/api/login: %d %s", base, r.Status, r.Body)
		}
		bothSay(t, a, "GET", "/api/whoami", v.Access, http.StatusOK, "{\"user\":\"Zo\\u00eb <&> \\ud83d\\ude00 \\u2028\"}\n")
	}
}

// A blocklist other users may write to (and so empty) stops the program.
func TestBlocklistRefusesSharedDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	dir := sharedDir(t)
	if _, err := openBlocklist(dir); err == nil || !strings.Contains(err.Error(), "JWT_BLOCKLIST_DIR "+dir+" is writable by other users") {
		t.Errorf("openBlocklist(a 0777 dir) = %v", err)
	}
	env := map[string]string{"SECRET_KEY": testKey, "TOKENS_DIR": t.TempDir(), "JWT_BLOCKLIST_DIR": dir}
	cfg := flasksession.DefaultConfig()
	cfg.SecretKey = []byte(testKey)
	if _, err := newHandler(cfg, func(k string) string { return env[k] }); err == nil {
		t.Error("newHandler took a 0777 JWT_BLOCKLIST_DIR")
	}
}
