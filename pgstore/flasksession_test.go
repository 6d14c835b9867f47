package pgstore_test

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession/flaskrecord"
	"github.com/ginflask/flasksession/internal/realtest"
	"github.com/ginflask/flasksession/pgstore"
)

// debianPython is Debian 12's Python with python3-flask-session (0.3.2),
// python3-flask-sqlalchemy and python3-psycopg2.
const debianPython = "/usr/bin/python3"

// Flask-Session's SqlAlchemySessionInterface and the store share a table
// CreateTable made: each reads the other's rows, Flask-Session takes the
// store's expiry as the UTC time it is (the store is given expiries in a
// zone 7 hours west, and its connection's TimeZone is Tokyo), and treats
// a row the store wrote as expired as expired.
func TestFlaskSessionSQLAlchemy(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(debianPython); err != nil {
		realtest.Missing(t, "%s is missing (Debian: apt-get install python3)", debianPython)
	}
	if out, err := exec.Command(debianPython, "-c", "import flask_session, flask_sqlalchemy, psycopg2").CombinedOutput(); err != nil {
		realtest.Missing(t, "%s cannot import Flask-Session with SQLAlchemy (Debian: apt-get install python3-flask-session python3-flask-sqlalchemy python3-psycopg2): %v: %s", debianPython, err, out)
	}
	_, dbURL, _ := setup(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	pyURL := "postgresql://postgres@" + u.Host + u.Path
	q := u.Query()
	q.Set("timezone", "Asia/Tokyo")
	u.RawQuery = q.Encode()
	pool := newPool(t, u.String())
	ctx := t.Context()
	s := pgstore.New(pool, pgstore.WithFlaskSessionTable())
	codec := flaskrecord.Codec{Format: flaskrecord.Pickle}
	west := time.FixedZone("UTC-7", -7*3600)

	type result struct {
		Status  int            `json:"status"`
		Session map[string]any `json:"session"`
		Cookie  string         `json:"cookie"`
	}
	flask := func(action, sid string) result {
		t.Helper()
		out, err := exec.Command(debianPython, "testdata/flask_session_sql.py", pyURL, action, sid).Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("flask %s: %v\n%s", action, err, stderr)
		}
		var r result
		if err := json.Unmarshal(out, &r); err != nil || r.Status != 200 {
			t.Fatalf("flask %s: %s (%v)", action, out, err)
		}
		return r
	}

	// The store writes, Flask-Session reads and writes, the store reads.
	const sid = "3f1e5e0c-2b7a-4c39-9a53-5a1f0b3c6d7e" // a uuid4, as 0.3.2 mints
	data, err := codec.Encode(map[string]any{"_permanent": true, "user": "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, sid, data, time.Now().Add(time.Hour).In(west)); err != nil {
		t.Fatal(err)
	}
	if r := flask("read", sid); r.Session["user"] != "alice" {
		t.Fatalf("Flask-Session read %v, want user alice", r.Session)
	}
	if r := flask("write", sid); r.Session["from_flask"] != "yes" || r.Cookie != sid {
		t.Fatalf("Flask-Session wrote %v with cookie %q", r.Session, r.Cookie)
	}
	got, found, err := s.Find(ctx, sid)
	if err != nil || !found {
		t.Fatalf("Find after Flask-Session wrote = %v, %v", found, err)
	}
	values, err := codec.Decode(got)
	if err != nil || values["user"] != "alice" || values["from_flask"] != "yes" {
		t.Errorf("the record Flask-Session wrote decodes to %v, %v", values, err)
	}
	// Flask's default PERMANENT_SESSION_LIFETIME: 31 days from utcnow().
	at, found, err := s.Expiry(ctx, sid)
	if want := time.Now().Add(31 * 24 * time.Hour); err != nil || !found || at.Sub(want).Abs() > time.Minute {
		t.Errorf("Expiry of Flask-Session's row = %v, %v, %v; want about %v", at, found, err, want)
	}

	// Flask-Session creates, the store reads.
	r := flask("new", "")
	if r.Cookie == "" {
		t.Fatal("Flask-Session set no cookie for a new session")
	}
	got, found, err = s.Find(ctx, r.Cookie)
	if err != nil || !found {
		t.Fatalf("Find(Flask-Session's new session) = %v, %v", found, err)
	}
	if values, err := codec.Decode(got); err != nil || values["user"] != "bob" {
		t.Errorf("Flask-Session's new record decodes to %v, %v", values, err)
	}
	if err := s.Touch(ctx, r.Cookie, time.Now().Add(2*time.Hour)); err != nil {
		t.Errorf("Touch(Flask-Session's session): %v", err)
	}

	// A row the store wrote as expired is expired for Flask-Session too,
	// which deletes it.
	const old = "0b9d2f6e-8d1c-4f3e-a2b4-7c5d9e1f3a20"
	if err := s.Create(ctx, old, data, time.Now().Add(-time.Minute).In(west)); err != nil {
		t.Fatal(err)
	}
	if r := flask("read", old); r.Session["user"] != nil {
		t.Errorf("Flask-Session read an expired session: %v", r.Session)
	}
	// Flask-Session deleted the row, then saved its fresh session under
	// the same ID (0.3.2 keeps the ID a client sends).
	got, found, err = s.Find(ctx, old)
	if err != nil || !found {
		t.Fatalf("Find after Flask-Session replaced the expired row = %v, %v", found, err)
	}
	if values, err := codec.Decode(got); err != nil || values["user"] != nil {
		t.Errorf("Flask-Session's fresh session under the expired ID decodes to %v, %v", values, err)
	}
	if strings.Contains(r.Cookie, "session:") {
		t.Errorf("the cookie %q holds the key prefix", r.Cookie)
	}
}
