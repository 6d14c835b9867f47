package exampleapp

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ginflask/flasksession"
)

const testKey = "exampleapp-test-key-0123456789abcdef"

func TestSecretKey(t *testing.T) {
	tests := []struct {
		env       string
		wantWeak  bool
		wantWarn  string
		wantSame  bool // key == env
		wantBytes int
	}{
		{"", false, "SECRET_KEY is not set", false, 64},
		{"short", true, "only 5 bytes long", true, 5},
		{testKey, false, "", true, len(testKey)},
	}
	for _, tt := range tests {
		var log bytes.Buffer
		key, weak := SecretKey(tt.env, &log)
		if weak != tt.wantWeak || len(key) != tt.wantBytes || (string(key) == tt.env) != tt.wantSame {
			t.Errorf("SecretKey(%q) = %q, %v", tt.env, key, weak)
		}
		if tt.wantWarn == "" && log.Len() != 0 || !strings.Contains(log.String(), tt.wantWarn) {
			t.Errorf("SecretKey(%q) printed %q, want %q", tt.env, log.String(), tt.wantWarn)
		}
		cfg := flasksession.DefaultConfig()
		cfg.SecretKey, cfg.AllowWeakSecretKey = key, weak
		if err := cfg.Validate(); err != nil {
			t.Errorf("SecretKey(%q): config refused: %v", tt.env, err)
		}
	}
	k1, _ := SecretKey("", &bytes.Buffer{})
	k2, _ := SecretKey("", &bytes.Buffer{})
	if bytes.Equal(k1, k2) {
		t.Error("two random keys are equal")
	}
}
