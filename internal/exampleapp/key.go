package exampleapp

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/ginflask/flasksession"
)

// SecretKey returns the key to sign sessions with: the SECRET_KEY
// environment value as is (the bytes of the text, as Flask uses a str key),
// or a random key for this run only. A short key is allowed, with a
// warning, so the example can share sessions with an existing Flask app.
func SecretKey(env string, log io.Writer) (key []byte, allowWeak bool) {
	if env == "" {
		fmt.Fprint(log, `
!!! WARNING: SECRET_KEY is not set: using a random key for this run only.
!!! Sessions will not survive a restart and will not be shared with other
!!! instances or with a Flask app. Make a key and export it:
!!!     export SECRET_KEY=$(go run ./cmd/flasksession genkey)

`)
		return randomKey(), false
	}
	if len(env) < flasksession.MinSecretKeyLen {
		fmt.Fprintf(log, "WARNING: SECRET_KEY is only %d bytes long; a guessable key lets anyone forge sessions.\n"+
			"WARNING: accepted so the example can share sessions with an existing Flask app; use `go run ./cmd/flasksession genkey` for a strong one.\n",
			len(env))
		return []byte(env), true
	}
	return []byte(env), false
}

func randomKey() []byte {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return []byte(hex.EncodeToString(b))
}
