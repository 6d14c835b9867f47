package exampleapp_test

import (
	"fmt"
	"os"

	"github.com/ginflask/flasksession/internal/exampleapp"
)

// A short key, such as an existing Flask app's, is taken with a warning.
func ExampleSecretKey() {
	key, allowWeak := exampleapp.SecretKey("dev", os.Stdout)
	fmt.Printf("key %q, allowWeak %v\n", key, allowWeak)
	// Output:
	// WARNING: SECRET_KEY is only 3 bytes long; a guessable key lets anyone forge sessions.
	// WARNING: accepted so the example can share sessions with an existing Flask app; use `go run ./cmd/flasksession genkey` for a strong one.
	// key "dev", allowWeak true
}
