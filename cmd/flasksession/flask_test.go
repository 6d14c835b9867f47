package main

import (
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession/internal/flaskoracle"
	"github.com/ginflask/flasksession/taggedjson"
)

// Cookies from sign load in real Flask as the JSON says, and cookies real
// Flask minted pass inspect, with the key that matched named.
func TestAgainstFlask(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	sessions := []string{
		`{"user_id": 42}`,
		`{"cart": {" t": [1, "two"]}, "blob": {" b": "/ycK"}, "note": {" m": "<b>hi</b>"}, "id": {" u": "12345678123456781234567812345678"}}`,
		`{"when": {" d": "Tue, 02 Jan 2024 03:04:05 GMT"}, "f": 1.5e-05, "big": 1180591620717411303424, "none": null, "text": "Zoë \u2028"}`,
	}
	for _, py := range flaskoracle.Pythons() {
		t.Run(py.Name, func(t *testing.T) {
			o := flaskoracle.Start(t, py)
			for _, js := range sessions {
				for _, flags := range [][]string{nil, {"-permanent"}, {"-compress"}} {
					want, err := taggedjson.UnmarshalObject([]byte(js))
					if err != nil {
						t.Fatal(err)
					}
					if len(flags) > 0 && flags[0] == "-permanent" {
						want["_permanent"] = true
					}
					args := append([]string{"-key", testKey, "-at", now.Format(time.RFC3339)}, flags...)
					cookie := mustSign(t, append(args, js)...)
					got, err := o.Load(cookie, []byte(testKey), nil, now, 31*24*time.Hour)
					if err != nil {
						t.Fatalf("Flask refused sign %q %s: %v", flags, js, err)
					}
					if d := flaskoracle.Diff(want, got); d != "" {
						t.Errorf("sign %q %s: Flask loaded something else:\n%s", flags, js, d)
					}

					// And the other way: Flask's cookie for the same session.
					fromFlask, err := o.Mint(want, []byte(testKey), nil, now)
					if err != nil {
						t.Fatal(err)
					}
					code, out, errs := cli(t, nil, "inspect", "-key", testKey, fromFlask)
					if code != 0 || !strings.Contains(out, "valid: current key") || !strings.Contains(out, "Signed at   "+now.UTC().Format(time.RFC3339)) {
						t.Errorf("inspect of Flask's cookie: exit %d, stderr %q:\n%s", code, errs, out)
					}
					for k := range want {
						if _, ok := rows(out)[pyStr(k)]; !ok {
							t.Errorf("inspect of Flask's cookie lacks key %s:\n%s", pyStr(k), out)
						}
					}
				}
			}

			// A cookie Flask signed with an old key: inspect names the fallback.
			old, err := o.Mint(map[string]any{"user_id": 7}, []byte("the-old-key-0123456789"), nil, now)
			if err != nil {
				t.Fatal(err)
			}
			code, out, errs := cli(t, nil, "inspect", "-key", testKey, "-fallback", "the-old-key-0123456789", old)
			if code != 0 || !strings.Contains(out, "valid: fallback key #1 of 1") {
				t.Errorf("fallback: exit %d, stderr %q:\n%s", code, errs, out)
			}
			if code, _, errs := cli(t, nil, "inspect", "-key", testKey, old); code != exitError || !strings.Contains(errs, "does not match") {
				t.Errorf("old key without the fallback: exit %d, stderr %q", code, errs)
			}
		})
	}
}
