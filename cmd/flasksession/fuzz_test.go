package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/ginflask/flasksession/taggedjson"
)

// FuzzInspect feeds inspect arbitrary cookies, with and without a key and
// -json: it must not panic, must exit 0 or 1 with a key and 3 or 1
// without one (never 0: unverified is never success), and must print an
// error exactly when it fails.
func FuzzInspect(f *testing.F) {
	for _, s := range []string{
		flaskCookie,
		"eyJ1c2VyX2lkIjo0Mn0.ZVPxAA.ZE7HhaDDxh4L5sRO1eFRQDb6Uj8",
		"session=abc.def.ghi; Path=/",
		"not-a-cookie", ".", "..", "a.b", ".eJw.x.y", "e30.ZVPxAA.x", `"quoted"`,
	} {
		f.Add(s, false, false)
		f.Add(s, true, false)
		f.Add(s, false, true)
		f.Add(s, true, true)
	}
	f.Fuzz(func(t *testing.T, cookie string, withKey, asJSON bool) {
		if strings.HasPrefix(cookie, "-") {
			return // a flag, not a cookie
		}
		args := []string{"inspect", "-at", "2023-11-15T00:00:00Z"}
		if withKey {
			args = append(args, "-key", testKey)
		}
		if asJSON {
			args = append(args, "-json")
		}
		t.Setenv("SECRET_KEY", "")
		os.Unsetenv("SECRET_KEY")
		var out, errs bytes.Buffer
		code := run(append(args, "--", cookie), &out, &errs)
		switch {
		case code == exitOK && withKey, code == exitUnverified && !withKey:
			if out.Len() == 0 || (errs.Len() != 0) != (asJSON && !withKey) {
				t.Fatalf("exit %d with stderr %q, stdout %q", code, errs.String(), out.String())
			}
			if asJSON {
				var v struct{ Verified bool }
				if err := json.Unmarshal(out.Bytes(), &v); err != nil || v.Verified != withKey {
					t.Fatalf("exit %d, JSON %q: %v", code, out.String(), err)
				}
			}
		case code == exitError:
			if !strings.HasPrefix(errs.String(), "flasksession: ") || out.Len() != 0 {
				t.Fatalf("exit 1 with stderr %q, stdout %q", errs.String(), out.String())
			}
		default:
			t.Fatalf("exit %d (key %v) for cookie %q: stderr %q", code, withKey, cookie, errs.String())
		}
	})
}

// FuzzSign: any JSON object sign accepts, inspect reads back verified,
// with the same tagged JSON: the object as Flask's serializer writes it.
func FuzzSign(f *testing.F) {
	for _, s := range []string{`{}`, `{"a": 1}`, `{"t": {" t": [1, 2]}, "b": {" b": "/ycK"}}`, `{"x": [1.5, null, true, "é"]}`, `null`, `[1]`, `{"a": }`} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, js string, compress bool) {
		if strings.HasPrefix(js, "-") {
			return
		}
		args := []string{"sign", "-key", testKey, "-at", "2023-11-14T22:13:20Z"}
		if compress {
			args = append(args, "-compress")
		}
		var out, errs bytes.Buffer
		code := run(append(args, "--", js), &out, &errs)
		session, perr := taggedjson.UnmarshalObject([]byte(js))
		if code == exitError {
			if perr == nil {
				t.Fatalf("sign refused %q, which parses: %s", js, errs.String())
			}
			return // not a JSON object Flask could load
		}
		if code != exitOK || perr != nil {
			t.Fatalf("sign %q: exit %d (parse error %v): %s", js, code, perr, errs.String())
		}
		want, err := taggedjson.Marshal(session)
		if err != nil {
			t.Fatal(err)
		}
		cookie := strings.TrimSpace(out.String())
		var out2, errs2 bytes.Buffer
		if code := run([]string{"inspect", "-json", "-key", testKey, "-at", "2023-11-14T22:13:20Z", "--", cookie}, &out2, &errs2); code != exitOK {
			t.Fatalf("inspect of a signed cookie: exit %d: %s", code, errs2.String())
		}
		var got struct {
			Verified bool            `json:"verified"`
			Session  json.RawMessage `json:"session"`
		}
		if err := json.Unmarshal(out2.Bytes(), &got); err != nil {
			t.Fatalf("inspect -json printed %q: %v", out2.String(), err)
		}
		if !got.Verified || !bytes.Equal(got.Session, want) {
			t.Fatalf("sign %q, inspect reads back verified=%v\n%s\nwant\n%s", js, got.Verified, got.Session, want)
		}
	})
}
