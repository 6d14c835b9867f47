package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// minKeyBytes matches flasksession.MinSecretKeyLen.
const minKeyBytes = 16

// genkey prints a random key: 32 bytes from crypto/rand as 64 hex digits
// (or URL-safe base64), text that is safe in an environment variable, a
// shell, a .env file or Python source. The text itself is the key; it is
// not decoded first, by Flask or by this package.
func genkey(env cmdEnv, args []string) error {
	fs := newFlags(env, "genkey")
	n := fs.Int("bytes", 32, "random bytes in the key (at least 16)")
	b64 := fs.Bool("base64", false, "print URL-safe base64 instead of hex")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("genkey takes no arguments, got %q", pos[0])
	}
	if *n < minKeyBytes || *n > 1024 {
		return usagef("-bytes %d: use 16 to 1024 (32 is plenty)", *n)
	}
	buf := make([]byte, *n)
	rand.Read(buf) // crypto/rand never fails (Go 1.24+)
	key := hex.EncodeToString(buf)
	if *b64 {
		key = base64.RawURLEncoding.EncodeToString(buf)
	}
	fmt.Fprintln(env.stdout, key)
	// The hint goes to stderr so `export SECRET_KEY=$(flasksession genkey)` works.
	fmt.Fprint(env.stderr, `# A new secret key (printed above). Give the same key to every instance
# of the app and to any Flask app sharing its sessions, through the
# environment, never through source control:
#     export SECRET_KEY=$(go run ./cmd/flasksession genkey)
# Go:    cfg.SecretKey = []byte(os.Getenv("SECRET_KEY"))
# Flask: app.secret_key = os.environ["SECRET_KEY"]
`)
	return nil
}
