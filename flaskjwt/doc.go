// Package flaskjwt is Flask-JWT-Extended for Gin: a Gin service accepts
// the JSON Web Tokens a Flask app issues with Flask-JWT-Extended 4.4, and
// the Flask app accepts the ones it issues, in the Authorization header or
// in cookies with the same double-submit CSRF rule, on one JWT_SECRET_KEY.
// Refusals carry Flask-JWT-Extended's status and {"msg": ...}, byte for
// byte, so clients see one API whichever side answers.
//
// # Quick start
//
//	m, err := flaskjwt.New(flaskjwt.Config{
//		SecretKey: []byte(os.Getenv("JWT_SECRET_KEY")), // the Flask app's
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	r := gin.Default()
//	r.POST("/login", func(c *gin.Context) {
//		// ... check the password ...
//		token, err := m.CreateAccessToken(c.PostForm("username"), flaskjwt.WithFresh())
//		if err != nil {
//			c.AbortWithError(http.StatusInternalServerError, err)
//			return
//		}
//		c.JSON(http.StatusOK, gin.H{"access_token": token})
//	})
//	r.GET("/protected", m.Required(), func(c *gin.Context) { // @jwt_required()
//		c.JSON(http.StatusOK, gin.H{"logged_in_as": flaskjwt.Identity(c)})
//	})
//
// Example (the package's first example) runs this program.
//
// # Tokens, as Flask-JWT-Extended 4.4 makes them
//
// HS256 (JWT_ALGORITHM) under the secret key, header {"alg":"HS256",
// "typ":"JWT"}, and the claims fresh (false, true, or a float timestamp
// until which the token is fresh), iat, jti (a uuid4), type ("access" or
// "refresh"), sub (the identity: any JSON), nbf, csrf (a uuid4, when
// cookies are a token location), exp (15 minutes for access tokens, 30
// days for refresh ones), then any additional claims. CreateAccessToken
// writes them in this order and the payload JSON as Python writes it, so
// that with the same clock and uuid4s the token is Flask-JWT-Extended's
// byte for byte.
//
// # Verifying, in Flask-JWT-Extended's order
//
// Required looks for the token in Config.TokenLocation (the Authorization
// header by default; the cookie, with on POST, PUT, PATCH and DELETE the
// X-CSRF-TOKEN header equal to its csrf claim; a query parameter; a JSON
// body). It then checks the token as PyJWT 2.6 does: the algorithm is one
// of Config.DecodeAlgorithms (HS256 alone by default: "none", RS256 and
// the rest are refused before the signature is looked at), the HMAC
// signature, iat and nbf not in the future and exp not past (integer
// seconds, Config.DecodeLeeway), iss and aud when configured, the identity
// claim, the CSRF value; then the token type, freshness, the blocklist
// (Config.TokenInBlocklist), Config.VerifyClaims and Config.UserLookup.
// Each refusal is an *Error whose Kind is a sentinel (ErrExpired,
// ErrInvalidToken, ErrCSRF, ...) and whose Msg and Status are
// Flask-JWT-Extended's: 401 "Token has expired", 422 "Signature
// verification failed", 401 "Missing CSRF token", and so on.
//
// # Differences from Flask-JWT-Extended
//
//   - Only the HMAC algorithms (HS256, HS384, HS512): no JWT_PUBLIC_KEY or
//     JWT_PRIVATE_KEY, nor encode_key_loader and decode_key_loader.
//   - Malformed tokens get 422 as in Flask, but the text after "Invalid
//     header string: " or "Invalid payload string: " is Go's JSON error,
//     not Python's; the base64url segments are read strictly, so a few
//     variants of a signature's last character that PyJWT lets pass are
//     refused; JSON payloads with NaN or Infinity are refused.
//   - Time claims must be numbers (or booleans): a string exp that Python
//     might accept, or fail on with a server error, is refused with 422.
//   - Inputs on which Flask-JWT-Extended answers 500 (an empty credential
//     in "Bearer a, ,b", a csrf claim that is not a string, a JSON body
//     that is a list) get a 401 or 422 here.
//   - OPTIONS requests pass as in Flask-JWT-Extended, and read as requests
//     without a token (Identity nil) instead of raising in get_jwt().
//   - Additional headers (additional_headers_loader) and
//     user_identity_loader are left out: pass the identity itself.
//   - LocationJSON reads at most 1 MiB of a body; the handler still gets
//     all of it.
package flaskjwt
