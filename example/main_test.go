package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ginflask/flasksession"
)

func TestSecretKey(t *testing.T) {
	const long = "example-test-key-0123456789abcdef"
	for _, tt := range []struct {
		env      string
		wantWeak bool
		wantWarn string
		wantSame bool // key == env
	}{
		{"", false, "SECRET_KEY is not set", false},
		{"short", true, "only 5 bytes long", true},
		{long, false, "", true},
	} {
		var log bytes.Buffer
		key, weak := secretKey(tt.env, &log)
		if weak != tt.wantWeak || (string(key) == tt.env) != tt.wantSame {
			t.Errorf("secretKey(%q) = %q, %v", tt.env, key, weak)
		}
		if tt.wantWarn == "" && log.Len() != 0 || !strings.Contains(log.String(), tt.wantWarn) {
			t.Errorf("secretKey(%q) printed %q, want %q", tt.env, log.String(), tt.wantWarn)
		}
		cfg := flasksession.DefaultConfig()
		cfg.SecretKey, cfg.AllowWeakSecretKey = key, weak
		if err := cfg.Validate(); err != nil {
			t.Errorf("secretKey(%q): config refused: %v", tt.env, err)
		}
	}
	k1, _ := secretKey("", &bytes.Buffer{})
	k2, _ := secretKey("", &bytes.Buffer{})
	if bytes.Equal(k1, k2) {
		t.Error("two random keys are equal")
	}
}

// openStore refuses a PostgreSQL URL pgx cannot parse with pgx's reason,
// and never the URL: not its password, which pgx masks only as best it
// can and net/url's errors quote whole.
func TestOpenStoreBadPostgresURL(t *testing.T) {
	for _, tt := range []struct{ url, want string }{
		{"postgres://app:" + urlPassword + "@db:port/app", "(invalid port)"},
		{"postgresql://app:" + urlPassword + "%zz@db/app", "invalid percent-encoded token in password"},
		{"postgres://app:" + urlPassword + "@db/app?pool_max_conns=many", "cannot parse pool_max_conns"},
		{"postgres://app:" + urlPassword + "@db/app?sslmode=sometimes", "sslmode is invalid"},
	} {
		cfg := flasksession.DefaultConfig()
		_, err := openStore(t.Context(), tt.url, &cfg, &bytes.Buffer{})
		if err == nil || !strings.HasPrefix(err.Error(), "-store: not a PostgreSQL URL pgx can parse") || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), urlPassword) {
			t.Errorf("openStore(%q) = %v, want %q and no password", tt.url, err, tt.want)
		}
		if cfg.Store != nil {
			t.Errorf("openStore(%q) set a store", tt.url)
		}
	}
}
