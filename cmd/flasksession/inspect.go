package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ginflask/flasksession/flaskcookie"
	"github.com/ginflask/flasksession/itsdangerous"
	"github.com/ginflask/flasksession/taggedjson"
)

// inspect shows what a cookie holds. Without a key it decodes the cookie
// as anyone can (a signed cookie is not encrypted), says the content is
// unverified and returns errUnverified (exit status 3); with one it checks
// the signature and the age first, and a cookie that fails is an error.
func inspect(env cmdEnv, args []string) error {
	fs := newFlags(env, "inspect")
	var kf keyFlags
	kf.register(fs, true)
	maxAge := fs.Duration("max-age", flaskcookie.DefaultMaxAge, "oldest signature accepted (Flask PERMANENT_SESSION_LIFETIME); 0 = no limit")
	at := fs.String("at", "", "verify and compute the age as of `TIME` (RFC 3339) instead of now")
	asJSON := fs.Bool("json", false, "print the session as Flask's tagged JSON instead of a table")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("inspect takes one COOKIE, got %d arguments", len(pos))
	}
	if *maxAge < 0 {
		return usagef("-max-age %s is negative: use 0 for no limit", *maxAge)
	}
	now, err := parseTime(*at, "-at")
	if err != nil {
		return err
	}
	key, from, err := kf.secret(env)
	if err != nil {
		return err
	}
	fallbacks, err := kf.fallbackKeys()
	if err != nil {
		return err
	}
	if key == nil && len(fallbacks) > 0 {
		return usagef("-fallback needs the current key too: pass -key or set SECRET_KEY")
	}
	raw, err := readArg(env, pos[0])
	if err != nil {
		return err
	}
	cookie := cookieValue(raw)
	if cookie == "" {
		return fmt.Errorf("flasksession: the cookie is empty: pass the value of the session cookie (from the browser's developer tools, or a Set-Cookie header)")
	}

	var d flaskcookie.Decoded
	if key == nil {
		d, err = flaskcookie.ParseUnverified(cookie)
		if err != nil {
			return fmt.Errorf("flasksession: not a readable Flask session cookie: %s", plain(err))
		}
	} else {
		age := *maxAge
		if age == 0 {
			age = -1 // the codec's "no limit"
		}
		codec, err := flaskcookie.New(flaskcookie.Config{SecretKey: key, SecretKeyFallbacks: fallbacks, MaxAge: age})
		if err != nil {
			return err
		}
		d, err = codec.DecodeAt(cookie, now)
		if err != nil {
			return verifyError(err, from, len(fallbacks))
		}
	}

	if *asJSON {
		if err := printJSON(env, d, key != nil); err != nil {
			return err
		}
	} else {
		printDecoded(env, d, key != nil, from, len(fallbacks), now)
	}
	if key == nil {
		return errUnverified
	}
	return nil
}

// inspectJSON is the output of inspect -json. Verified comes first and is
// always present, so a script cannot mistake unverified content for
// verified.
type inspectJSON struct {
	Verified   bool            `json:"verified"`
	Key        *int            `json:"key"` // 0 current, n the n-th fallback; null unverified
	SignedAt   string          `json:"signed_at"`
	Compressed bool            `json:"compressed"`
	Session    json.RawMessage `json:"session"` // Flask's tagged JSON
}

func printJSON(env cmdEnv, d flaskcookie.Decoded, verified bool) error {
	js, err := taggedjson.Marshal(d.Session)
	if err != nil {
		return err
	}
	out := inspectJSON{
		Verified:   verified,
		SignedAt:   d.SignedAt.UTC().Format(time.RFC3339),
		Compressed: d.Compressed,
		Session:    js,
	}
	if verified {
		out.Key = &d.Key
	} else {
		fmt.Fprintln(env.stderr, "flasksession: UNVERIFIED: no key given, the content is not authenticated")
	}
	enc := json.NewEncoder(env.stdout)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func printDecoded(env cmdEnv, d flaskcookie.Decoded, verified bool, from string, nfallbacks int, now time.Time) {
	w := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	switch {
	case !verified:
		fmt.Fprintln(w, "UNVERIFIED\tno key given (-key or SECRET_KEY): anyone can write a cookie that reads like this")
	case d.Key == 0:
		fmt.Fprintf(w, "Signature\tvalid: current key (%s)\n", from)
	default:
		fmt.Fprintf(w, "Signature\tvalid: fallback key #%d of %d (-fallback): the app re-signs it with the current key when it next saves the session\n", d.Key, nfallbacks)
	}
	fmt.Fprintf(w, "Signed at\t%s (%s)\n", d.SignedAt.UTC().Format(time.RFC3339), ageText(now.Sub(d.SignedAt)))
	fmt.Fprintf(w, "Compressed\t%s\n", yesNo(d.Compressed))
	if taggedjson.Truthy(d.Session["_permanent"]) {
		fmt.Fprintln(w, "Permanent\tyes: the browser keeps it until it expires (PERMANENT_SESSION_LIFETIME)")
	} else {
		fmt.Fprintln(w, "Permanent\tno: the browser drops it when it closes")
	}
	fmt.Fprintf(w, "Keys\t%d\n", len(d.Session))
	w.Flush()
	if len(d.Session) == 0 {
		return
	}
	fmt.Fprintln(env.stdout)
	w = tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KEY\tGO TYPE\tPYTHON TYPE\tVALUE (Python repr)")
	for _, k := range slices.Sorted(maps.Keys(d.Session)) {
		v := d.Session[k]
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", pyStr(k), goType(v), taggedjson.PythonType(v), pyRepr(v))
	}
	w.Flush()
}

// verifyError turns a decoding error into plain words.
func verifyError(err error, from string, nfallbacks int) error {
	keys := "the key from " + from
	if nfallbacks > 0 {
		keys += fmt.Sprintf(" or any of the %d fallback keys", nfallbacks)
	}
	var exp *itsdangerous.SignatureExpiredError
	var bad *itsdangerous.BadSignatureError
	switch {
	case errors.As(err, &exp) && exp.Age < 0:
		return fmt.Errorf("flasksession: the signature is valid but dated %s in the future (signed at %s): the clocks of the machines sharing the key disagree; an app would give an empty session",
			(-exp.Age).String(), exp.DateSigned.UTC().Format(time.RFC3339))
	case errors.As(err, &exp):
		return fmt.Errorf("flasksession: the signature is valid but the cookie expired: signed at %s, %s ago, older than -max-age %s (Flask PERMANENT_SESSION_LIFETIME); an app would give an empty session. Pass -max-age 0 to skip the age check",
			exp.DateSigned.UTC().Format(time.RFC3339), exp.Age.String(), exp.MaxAge.String())
	case errors.As(err, &bad) && strings.Contains(bad.Msg, "does not match"):
		return fmt.Errorf("flasksession: the signature does not match %s: the cookie was changed, or it was signed with another key. Run inspect without a key to see its (untrusted) content", keys)
	case errors.Is(err, itsdangerous.ErrBadSignature):
		return fmt.Errorf("flasksession: not a Flask session cookie: %s", plain(err))
	case errors.Is(err, itsdangerous.ErrBadPayload):
		return fmt.Errorf("flasksession: the signature is valid but the content cannot be decoded: %s (Flask would answer 500; the flasksession middleware gives an empty session)", plain(err))
	}
	return err
}

// cookieValue takes the session cookie's value out of whatever was
// pasted: a bare value, "session=VALUE", a Set-Cookie header value with
// attributes, or a Cookie header with several cookies.
func cookieValue(s string) string {
	s = strings.TrimSpace(s)
	for _, p := range []string{"set-cookie:", "cookie:"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			s = strings.TrimSpace(s[len(p):])
		}
	}
	if !strings.ContainsAny(s, "=;") {
		return unquote(s)
	}
	parts := strings.Split(s, ";")
	for _, part := range parts {
		if k, v, ok := strings.Cut(part, "="); ok && strings.TrimSpace(k) == "session" {
			return unquote(strings.TrimSpace(v))
		}
	}
	// Another cookie name: the first name=value pair.
	if _, v, ok := strings.Cut(parts[0], "="); ok {
		return unquote(strings.TrimSpace(v))
	}
	return unquote(strings.TrimSpace(parts[0]))
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// parseTime reads an RFC 3339 time; empty means now.
func parseTime(s, flagName string) (time.Time, error) {
	if s == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usagef("%s %q: want an RFC 3339 time such as 2024-05-01T12:00:00Z", flagName, s)
	}
	return t, nil
}

// ageText says how long ago t was signed, in days, hours, minutes and
// seconds.
func ageText(age time.Duration) string {
	age = age.Truncate(time.Second)
	if age < 0 {
		return durText(-age) + " in the future"
	}
	return durText(age) + " ago"
}

func durText(d time.Duration) string {
	const day = 24 * time.Hour
	if d < day {
		return d.String()
	}
	s := fmt.Sprintf("%dd", d/day)
	if rest := d % day; rest > 0 {
		s += rest.String()
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// plain drops the package prefix of a wrapped error.
func plain(err error) string {
	s := err.Error()
	for _, p := range []string{"flasksession: ", "flaskcookie: ", "itsdangerous: ", "taggedjson: "} {
		if strings.HasPrefix(s, p) {
			return s[len(p):]
		}
	}
	return s
}
