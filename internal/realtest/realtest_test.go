package realtest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// outcome records what Missing did to a test: it stops the goroutine on
// Fatalf and Skipf, as testing.T does.
type outcome struct {
	testing.TB
	failed, skipped bool
	msg             string
}

func (o *outcome) Helper() {}

func (o *outcome) Fatalf(format string, args ...any) {
	o.failed, o.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (o *outcome) Skipf(format string, args ...any) {
	o.skipped, o.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// Only the variable set to "1" turns Missing's skip into a failure; both
// carry the reason and name the variable.
func TestMissingFailsOnlyWhenRequired(t *testing.T) {
	for _, tc := range []struct {
		val  string
		fail bool
	}{{"1", true}, {"", false}, {"0", false}, {"true", false}} {
		t.Setenv(EnvVar, tc.val)
		o := &outcome{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			Missing(o, "frobnicator %d is not installed", 2)
		}()
		<-done
		if o.failed != tc.fail || o.skipped == tc.fail {
			t.Errorf("%s=%q: failed %v, skipped %v; want failed %v", EnvVar, tc.val, o.failed, o.skipped, tc.fail)
		}
		if !strings.Contains(o.msg, "frobnicator 2 is not installed") || !strings.Contains(o.msg, EnvVar) {
			t.Errorf("%s=%q: message %q lacks the reason or %s", EnvVar, tc.val, o.msg, EnvVar)
		}
	}
}

func TestMissingSkipsWhenNotRequired(t *testing.T) {
	t.Setenv(EnvVar, "")
	var skipped bool
	t.Run("inner", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		Missing(t, "frobnicator is not installed")
	})
	if !skipped {
		t.Fatal("Missing did not skip with the variable unset")
	}
}
