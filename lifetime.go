package flasksession

import "time"

// The lifetime rules are pure functions of their inputs, "now" included,
// so they are tested without clocks. They follow Flask's
// SecureCookieSessionInterface (should_set_cookie, get_expiration_time)
// and save_session. Two rules live with the backends: an untouched
// session (one no handler used) is sent again only to refresh a permanent
// one, which the backend learns without decoding it (sessionState.refresh;
// whether a session is permanent is cookiecodec.Permanent); and loading a
// cookie applies the lifetime to every session, permanent or not, as
// Flask does: the codec refuses signatures older than the lifetime and any
// dated in the future.

// cookieAction is what the response does with the session cookie.
type cookieAction uint8

const (
	actionNone   cookieAction = iota // leave the client's cookie alone
	actionSet                        // send a new value
	actionDelete                     // send an expired, empty cookie
)

// decideCookie is Flask's save_session decision: an empty session deletes
// the cookie if it was modified (even when the client had none) and does
// nothing otherwise; a non-empty one is sent when modified, or when it is
// permanent and refresh-each-request is on.
func decideCookie(empty, modified, permanent, refresh bool) cookieAction {
	if empty {
		if modified {
			return actionDelete
		}
		return actionNone
	}
	if modified || (permanent && refresh) {
		return actionSet
	}
	return actionNone
}

// expiresAt is the cookie's Expires for a session saved at now: now plus
// the lifetime, in whole seconds, for a permanent session; zero (a
// browser-session cookie) otherwise.
func expiresAt(permanent bool, now time.Time, lifetime time.Duration) time.Time {
	if !permanent {
		return time.Time{}
	}
	return now.Truncate(time.Second).Add(lifetime).UTC()
}

// recordExpiry is when a server-side record saved at now ends: with the
// cookie, for a permanent session (expires is not zero); otherwise a
// lifetime later. A browser-session cookie must not end the record at
// once, and the record's expiry is the server-side limit Flask gives
// every cookie through its signature's age. The caller picks the
// lifetime: Config.PermanentLifetime, or Config.AnonymousLifetime for a
// session without a login.
func recordExpiry(now, expires time.Time, lifetime time.Duration) time.Time {
	if !expires.IsZero() {
		return expires
	}
	return expiresAt(true, now, lifetime)
}
