// Package realtest is the one home of the rule for tests that need a real
// outside program (Flask, Redis, Chromium): they skip with a reason when it
// is missing, and fail instead when FLASKSESSION_REQUIRE_REAL=1, as CI sets.
package realtest

import (
	"fmt"
	"os"
	"testing"
)

// EnvVar is the environment variable that turns skips into failures.
const EnvVar = "FLASKSESSION_REQUIRE_REAL"

// Required reports whether missing outside programs fail tests.
func Required() bool { return os.Getenv(EnvVar) == "1" }

// Missing skips tb with the reason, or fails it when Required.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		tb.Fatalf("%s (%s=1)", msg, EnvVar)
	}
	tb.Skipf("%s; install it, or set %s=1 to make this a failure", msg, EnvVar)
}
