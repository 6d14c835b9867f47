package itsdangerous_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/ginflask/flasksession/itsdangerous"
)

// Reading and writing the signed part of a Flask session cookie.
func Example_flaskSessionCookie() {
	keys := [][]byte{[]byte("dev-secret-key-for-vectors")} // oldest to newest; Flask: SECRET_KEY last
	ts, err := itsdangerous.NewTimestampSigner(keys, itsdangerous.FlaskSessionConfig())
	if err != nil {
		panic(err)
	}
	now := time.Unix(1700000000, 0)

	// The payload: the JSON in base64 (zlib-compressed, after a ".", when
	// that is shorter; never for so little).
	payload := itsdangerous.AppendBase64(nil, []byte(`{"a":1}`))
	cookie := ts.SignAt(payload, now)
	fmt.Println(string(cookie))

	u, err := ts.UnsignAt(cookie, 31*24*time.Hour, now.Add(time.Hour))
	if err != nil {
		panic(err)
	}
	data, err := itsdangerous.DecodePayload(u.Value, 0)
	fmt.Println(string(data), u.SignedAt, err)

	_, err = ts.UnsignAt(cookie, time.Hour, now.Add(2*time.Hour))
	fmt.Println(errors.Is(err, itsdangerous.ErrSignatureExpired), errors.Is(err, itsdangerous.ErrBadSignature))
	// Output:
	// eyJhIjoxfQ.ZVPxAA.ZQFCiGKBptNwZUpIHmZ4DsCHjik
	// {"a":1} 2023-11-14 22:13:20 +0000 UTC <nil>
	// true true
}

// Rotating keys: sign with the new key, still accept the old one.
func ExampleSigner_Unsign() {
	old, _ := itsdangerous.NewSigner([][]byte{[]byte("old key")}, itsdangerous.SignerConfig{})
	signed := old.Sign([]byte("value"))

	s, _ := itsdangerous.NewSigner([][]byte{[]byte("old key"), []byte("new key")}, itsdangerous.SignerConfig{})
	value, key, err := s.Unsign(signed)
	fmt.Printf("%s %d %v\n", value, key, err)

	_, _, err = s.Unsign([]byte("value.tampered"))
	var bs *itsdangerous.BadSignatureError
	fmt.Println(errors.As(err, &bs), err)
	// Output:
	// value 0 <nil>
	// true itsdangerous: signature does not match
}

func ExampleURLSafeTimedSerializer() {
	s, _ := itsdangerous.NewURLSafeTimedSerializer([][]byte{[]byte("secret")}, itsdangerous.SignerConfig{}, nil)
	now := time.Unix(1700000000, 0)
	token, _ := s.DumpsAt(map[string]int{"a": 1}, now)
	fmt.Println(string(token)) // the same as Python's URLSafeTimedSerializer("secret")

	var v map[string]int
	_, err := s.LoadsAt(token, &v, time.Hour, now)
	fmt.Println(v, err)
	// Output:
	// eyJhIjoxfQ.ZVPxAA.29jNa7P8cC3Mkvk3JRTL72cvH2o
	// map[a:1] <nil>
}
