package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"unicode/utf16"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/flaskjwt"
)

// addAPI registers the JSON API under /api, as flask_app.py's api
// blueprint with Flask-JWT-Extended: tokens in the Authorization header,
// no cookies, so the group is exempt from the CSRF check. Tokens made by
// either app are accepted by both (one key); /api/logout revokes a token
// on both (one blocklist).
//
//	POST /api/login    {"username": NAME} → access and refresh tokens
//	POST /api/refresh  (refresh token) → a new, not fresh, access token
//	GET  /api/whoami   (access token) → {"user": NAME}
//	POST /api/logout   (access token) → the token is revoked
func addAPI(r *gin.Engine, m *flaskjwt.Manager, bl *blocklist) {
	api := r.Group("/api")
	api.POST("/login", func(c *gin.Context) { apiLogin(c, m) })
	api.POST("/refresh", m.Required(flaskjwt.Refresh()), func(c *gin.Context) {
		access, err := m.CreateAccessToken(flaskjwt.Identity(c))
		if err != nil {
			_ = c.AbortWithError(http.StatusInternalServerError, err)
			return
		}
		writeJSON(c, http.StatusOK, map[string]any{"access_token": access})
	})
	api.GET("/whoami", m.Required(), func(c *gin.Context) {
		writeJSON(c, http.StatusOK, map[string]any{"user": flaskjwt.Identity(c)})
	})
	api.POST("/logout", m.Required(), func(c *gin.Context) {
		if err := bl.revoke(flaskjwt.CurrentToken(c).JTI()); err != nil {
			_ = c.AbortWithError(http.StatusInternalServerError, err)
			return
		}
		writeJSON(c, http.StatusOK, map[string]any{"msg": "Token revoked"})
	})
}

// apiLogin: a demo, any non-empty user name (a JSON string) logs in; the
// identity is the name. The access token is fresh.
func apiLogin(c *gin.Context, m *flaskjwt.Manager) {
	var body map[string]any
	_ = json.NewDecoder(c.Request.Body).Decode(&body) // nil body: no username
	username, _ := body["username"].(string)
	if username == "" {
		writeJSON(c, http.StatusBadRequest, map[string]any{"msg": "Missing username"})
		return
	}
	access, err := m.CreateAccessToken(username, flaskjwt.WithFresh())
	if err != nil {
		_ = c.AbortWithError(http.StatusInternalServerError, err)
		return
	}
	refresh, err := m.CreateRefreshToken(username)
	if err != nil {
		_ = c.AbortWithError(http.StatusInternalServerError, err)
		return
	}
	writeJSON(c, http.StatusOK, map[string]any{"access_token": access, "refresh_token": refresh})
}

// writeJSON answers v as Flask 2.2's jsonify does outside debug mode:
// sorted keys, no spaces, non-ASCII escaped, a final newline.
func writeJSON(c *gin.Context, status int, v map[string]any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		_ = c.AbortWithError(http.StatusInternalServerError, err)
		return
	}
	c.Data(status, "application/json", asciiJSON(buf.Bytes()))
}

// asciiJSON escapes the non-ASCII characters of valid JSON as Python's
// json.dumps does (ensure_ascii): \uXXXX, lower-case hex, surrogate pairs
// beyond the BMP. Outside strings there are none.
func asciiJSON(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, r := range string(b) {
		switch {
		case r < 0x80:
			out = append(out, byte(r))
		case r > 0xFFFF:
			hi, lo := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, hi, lo)
		default:
			out = fmt.Appendf(out, `\u%04x`, r)
		}
	}
	return out
}
