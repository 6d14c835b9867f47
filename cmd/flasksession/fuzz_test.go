package main

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzInspect feeds inspect arbitrary cookies, with and without a key: it
// must not panic, must exit 0 or 1, and must print an error exactly when
// it fails.
func FuzzInspect(f *testing.F) {
	for _, s := range []string{
		flaskCookie,
		"eyJ1c2VyX2lkIjo0Mn0.ZVPxAA.ZE7HhaDDxh4L5sRO1eFRQDb6Uj8",
		"session=abc.def.ghi; Path=/",
		"not-a-cookie", ".", "..", "a.b", ".eJw.x.y", "e30.ZVPxAA.x", `"quoted"`,
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, cookie string, withKey bool) {
		if strings.HasPrefix(cookie, "-") {
			return // a flag, not a cookie
		}
		args := []string{"inspect", "-at", "2023-11-15T00:00:00Z"}
		if withKey {
			args = append(args, "-key", testKey)
		}
		var out, errs bytes.Buffer
		code := run(append(args, "--", cookie), &out, &errs)
		switch code {
		case exitOK:
			if errs.Len() != 0 || out.Len() == 0 {
				t.Fatalf("exit 0 with stderr %q, stdout %q", errs.String(), out.String())
			}
		case exitError:
			if !strings.HasPrefix(errs.String(), "flasksession: ") || out.Len() != 0 {
				t.Fatalf("exit 1 with stderr %q, stdout %q", errs.String(), out.String())
			}
		default:
			t.Fatalf("exit %d for cookie %q: stderr %q", code, cookie, errs.String())
		}
	})
}

// FuzzSign: any JSON object sign accepts, inspect reads back with the same
// tagged JSON.
func FuzzSign(f *testing.F) {
	for _, s := range []string{`{}`, `{"a": 1}`, `{"t": {" t": [1, 2]}, "b": {" b": "/ycK"}}`, `{"x": [1.5, null, true, "é"]}`, `null`, `[1]`, `{"a": }`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, js string) {
		if strings.HasPrefix(js, "-") {
			return
		}
		var out, errs bytes.Buffer
		code := run([]string{"sign", "-key", testKey, "-at", "2023-11-14T22:13:20Z", "--", js}, &out, &errs)
		if code == exitError {
			return // not a JSON object Flask could load
		}
		if code != exitOK {
			t.Fatalf("sign exit %d: %s", code, errs.String())
		}
		cookie := strings.TrimSpace(out.String())
		var out2, errs2 bytes.Buffer
		if code := run([]string{"inspect", "-json", "-key", testKey, "-at", "2023-11-14T22:13:20Z", "--", cookie}, &out2, &errs2); code != exitOK {
			t.Fatalf("inspect of a signed cookie: exit %d: %s", code, errs2.String())
		}
	})
}
