package flaskcookie_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/ginflask/flasksession/flaskcookie"
	"github.com/ginflask/flasksession/itsdangerous"
	"github.com/ginflask/flasksession/taggedjson"
)

// Encoding gives the very bytes Flask sends for the same session, key and
// time (checked against Flask 3.1.3), and decoding gives back the Python
// types: a tuple as a Tuple, a whole number as an int.
func Example() {
	codec, err := flaskcookie.New(flaskcookie.Config{SecretKey: []byte("change-me-to-a-long-random-key")})
	if err != nil {
		panic(err)
	}
	signedAt := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)
	cookie, err := codec.EncodeAt(map[string]any{"user_id": 42, "cart": taggedjson.Tuple{3, 7}}, signedAt)
	if err != nil {
		panic(err)
	}
	fmt.Println(cookie)

	d, err := codec.DecodeAt(cookie, signedAt.Add(time.Hour))
	if err != nil {
		panic(err)
	}
	userID := d.Session["user_id"].(int)
	cart := d.Session["cart"].(taggedjson.Tuple)
	fmt.Println(userID, cart, d.SignedAt, d.Key)
	// Output:
	// eyJjYXJ0Ijp7IiB0IjpbMyw3XX0sInVzZXJfaWQiOjQyfQ.ZVPxAA.vH96NXd_ykt_1pIe8HvKpogxqCw
	// 42 [3 7] 2023-11-14 22:13:20 +0000 UTC 0
}

// Reading a cookie that real Flask 3.1.3 set, from a view doing
//
//	session["user_id"] = 42
//	session["cart"] = (3, 7)
//	session["name"] = "Zoë"
//	session.permanent = True
//
// with app.secret_key = "change-me-to-a-long-random-key", at Unix time
// 1700000000. Decoding it at that time plus a day verifies it.
func Example_flaskCookie() {
	const fromFlask = "eyJfcGVybWFuZW50Ijp0cnVlLCJjYXJ0Ijp7IiB0IjpbMyw3XX0sIm5hbWUiOiJab1x1MDBlYiIsInVzZXJfaWQiOjQyfQ.ZVPxAA.Itx0Jy2q8ZLG8x0BTOQDGAaZPPU"
	codec, err := flaskcookie.New(flaskcookie.Config{SecretKey: []byte("change-me-to-a-long-random-key")})
	if err != nil {
		panic(err)
	}
	d, err := codec.DecodeAt(fromFlask, time.Unix(1700000000, 0).Add(24*time.Hour))
	if err != nil {
		panic(err)
	}
	fmt.Println("signed at:", d.SignedAt)
	fmt.Println("permanent:", d.Session["_permanent"].(bool))
	fmt.Println("cart:", d.Session["cart"].(taggedjson.Tuple))
	fmt.Println("name:", d.Session["name"].(string))
	fmt.Println("user_id:", d.Session["user_id"].(int))

	// The same cookie 32 days later is past Flask's 31-day default lifetime.
	_, err = codec.DecodeAt(fromFlask, time.Unix(1700000000, 0).Add(32*24*time.Hour))
	fmt.Println(errors.Is(err, itsdangerous.ErrSignatureExpired))
	// Output:
	// signed at: 2023-11-14 22:13:20 +0000 UTC
	// permanent: true
	// cart: [3 7]
	// name: Zoë
	// user_id: 42
	// true
}

// Rotating keys: a cookie signed with the old key still verifies while
// the old key is listed in Fallbacks, and Key says which key matched.
func ExampleConfig_fallbacks() {
	oldKey := []byte("the-key-we-used-until-today")
	newKey := []byte("the-key-we-use-from-now-on")
	before, _ := flaskcookie.New(flaskcookie.Config{SecretKey: oldKey})
	after, _ := flaskcookie.New(flaskcookie.Config{SecretKey: newKey, SecretKeyFallbacks: [][]byte{oldKey}})

	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	cookie, _ := before.EncodeAt(map[string]any{"user_id": 7}, now)
	d, err := after.DecodeAt(cookie, now)
	fmt.Println(d.Session["user_id"], d.Key, err)

	// Without the fallback the cookie is refused, as a tampered one would be.
	strict, _ := flaskcookie.New(flaskcookie.Config{SecretKey: newKey})
	_, err = strict.DecodeAt(cookie, now)
	fmt.Println(errors.Is(err, itsdangerous.ErrBadSignature))
	// Output:
	// 7 1 <nil>
	// true
}

// Anyone holding a cookie can read it: signed is not encrypted.
// ParseUnverified shows what a cookie says without a key; never trust
// the result.
func ExampleParseUnverified() {
	d, err := flaskcookie.ParseUnverified("eyJ1c2VyX2lkIjo0Mn0.ZVPxAA.ZE7HhaDDxh4L5sRO1eFRQDb6Uj8")
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Session, d.SignedAt, d.Key)
	// Output:
	// map[user_id:42] 2023-11-14 22:13:20 +0000 UTC -1
}
