package main

import (
	"fmt"

	"github.com/ginflask/flasksession/flaskcookie"
	"github.com/ginflask/flasksession/taggedjson"
)

// sign mints a cookie from a JSON object, as Flask would for a session
// holding those values: for tests and for trying things out.
func sign(env cmdEnv, args []string) error {
	fs := newFlags(env, "sign")
	var kf keyFlags
	kf.register(fs, false)
	permanent := fs.Bool("permanent", false, `make the session permanent (adds "_permanent": true)`)
	compress := fs.Bool("compress", false, "zlib-compress the payload (Flask does when it saves space)")
	at := fs.String("at", "", "sign as of `TIME` (RFC 3339) instead of now")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("sign takes one JSON object, got %d arguments", len(pos))
	}
	key, _, err := kf.secret(env)
	if err != nil {
		return err
	}
	if key == nil {
		return usagef("sign needs a key: pass -key K or set SECRET_KEY")
	}
	now, err := parseTime(*at, "-at")
	if err != nil {
		return err
	}
	js, err := readArg(env, pos[0])
	if err != nil {
		return err
	}
	session, err := taggedjson.UnmarshalObject([]byte(js))
	if err != nil {
		return fmt.Errorf("flasksession: the session must be a JSON object such as '{\"user_id\": 42}': %s", plain(err))
	}
	if *permanent {
		session["_permanent"] = true
	}
	opts := flaskcookie.Config{SecretKey: key}
	if *compress {
		opts.CompressAbove = 1 // whenever zlib saves 2 bytes, Flask's rule
	}
	codec, err := flaskcookie.New(opts)
	if err != nil {
		return err
	}
	cookie, err := codec.EncodeAt(session, now)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, cookie)
	return nil
}
