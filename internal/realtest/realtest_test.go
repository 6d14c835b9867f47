package realtest

import "testing"

func TestRequired(t *testing.T) {
	for _, tc := range []struct {
		val  string
		want bool
	}{{"1", true}, {"", false}, {"0", false}, {"true", false}} {
		t.Setenv(EnvVar, tc.val)
		if got := Required(); got != tc.want {
			t.Errorf("%s=%q: Required() = %v, want %v", EnvVar, tc.val, got, tc.want)
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
