package flasklogin

import (
	"errors"
	"fmt"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
)

// ErrNotLoggedIn: LogoutEverywhere, LogoutOtherDevices, Sessions or
// EndSession ran for an anonymous request.
var ErrNotLoggedIn = errors.New("flasklogin: nobody is logged in")

// LogoutEverywhere ends every login of the current user, on every device,
// remember cookies included, and logs this request out too. It calls
// Config.RevokeLogins, which gives the user a new alternative token, so no
// session or remember cookie holding the old one loads the user any more
// (a Flask app on Flask-Login that loads users by the same token follows);
// with a server-side store it also deletes the user's sessions at once
// (flasksession.EndUserSessions).
func LogoutEverywhere(c *gin.Context) error {
	if _, _, err := revoke(c, false); err != nil {
		return err
	}
	LogoutUser(c)
	return nil
}

// LogoutOtherDevices ends every login of the current user but this
// request's ("log out my other devices"): as LogoutEverywhere, and then
// this session is logged in again under the user's new token, as fresh as
// it was, with its remember cookie renewed if it had one.
func LogoutOtherDevices(c *gin.Context) error {
	st, nu, err := revoke(c, true)
	if err != nil {
		return err
	}
	opts := []LoginOption{Force(), Remember(st.rememberedOrSetting())}
	if !LoginFresh(c) {
		opts = append(opts, NotFresh())
	}
	// The session keeps "_remember_seconds": the renewed cookie lasts as
	// long as the first one did.
	LoginUser(c, nu, opts...)
	return nil
}

// revoke is the shared part of LogoutEverywhere and LogoutOtherDevices: it
// gives the current user a new token and ends their server-side
// sessions, sparing this one if keepCurrent. It returns the user under
// the new token.
func revoke(c *gin.Context, keepCurrent bool) (*state, User, error) {
	st := from(c)
	if st.m.cfg.RevokeLogins == nil {
		return nil, nil, ErrNoRevokeLogins
	}
	u, err := st.load()
	if err != nil {
		return nil, nil, err
	}
	if !isAuthenticated(u) {
		return nil, nil, ErrNotLoggedIn
	}
	nu, err := st.m.cfg.RevokeLogins(st.req.Context(), u)
	if err != nil {
		return nil, nil, fmt.Errorf("flasklogin: RevokeLogins: %w", err)
	}
	if isNil(nu) || nu.ID() == u.ID() {
		return nil, nil, fmt.Errorf("flasklogin: RevokeLogins kept the user's ID %q: the old sessions still log in", u.ID())
	}
	if _, err := flasksession.EndUserSessions(c, u.ID(), keepCurrent); err != nil && !errors.Is(err, flasksession.ErrNoStore) {
		return nil, nil, err
	}
	return st, nu, nil
}

// rememberedOrSetting reports whether this login keeps a remember cookie:
// the request carries a valid one for the session's user, or this
// response is about to set one.
func (st *state) rememberedOrSetting() bool {
	if v, _ := st.sess.Get(KeyRemember); v == "set" {
		return true
	}
	return st.remembered()
}

// Sessions lists the current user's server-side sessions, newest first:
// where they are logged in, since when, last seen when, and which one is
// this request's (flasksession.UserSessions). With the cookie store it
// returns flasksession.ErrNoStore: signed cookies are listed nowhere.
func Sessions(c *gin.Context) ([]flasksession.SessionInfo, error) {
	u := CurrentUser(c)
	if !isAuthenticated(u) {
		return nil, ErrNotLoggedIn
	}
	return flasksession.UserSessions(c, u.ID())
}

// EndSession logs the current user out of one of their server-side
// sessions, named by its SessionInfo.Handle (from Sessions). Its remember
// cookie, if any, still logs in until LogoutOtherDevices or
// LogoutEverywhere changes the user's token.
func EndSession(c *gin.Context, handle string) error {
	u := CurrentUser(c)
	if !isAuthenticated(u) {
		return ErrNotLoggedIn
	}
	return flasksession.EndUserSession(c, u.ID(), handle)
}
