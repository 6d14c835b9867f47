package flaskjwt

import (
	"errors"
	"reflect"
	"testing"
)

func TestValidate(t *testing.T) {
	key := []byte(testKey)
	for _, tc := range []struct {
		name  string
		cfg   Config
		want  error
		field string
	}{
		{"ok", Config{SecretKey: key}, nil, ""},
		{"defaults written out", func() Config { c := DefaultConfig(); c.SecretKey = key; return c }(), nil, ""},
		{"no key", Config{}, ErrNoSecretKey, ""},
		{"short key", Config{SecretKey: []byte("short")}, ErrWeakSecretKey, ""},
		{"short key allowed", Config{SecretKey: []byte("short"), AllowWeakSecretKey: true}, nil, ""},
		{"PEM public key", Config{SecretKey: []byte("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n")}, ErrInvalidConfig, "SecretKey"},
		{"ssh key", Config{SecretKey: []byte("ssh-rsa AAAAB3NzaC1yc2E user@host")}, ErrInvalidConfig, "SecretKey"},
		{"RS256", Config{SecretKey: key, Algorithm: "RS256"}, ErrInvalidConfig, "Algorithm"},
		{"none", Config{SecretKey: key, Algorithm: "none"}, ErrInvalidConfig, "Algorithm"},
		{"decode none", Config{SecretKey: key, DecodeAlgorithms: []string{"HS256", "none"}}, ErrInvalidConfig, "DecodeAlgorithms"},
		{"HS512", Config{SecretKey: key, Algorithm: "HS512", DecodeAlgorithms: []string{"HS256"}}, nil, ""},
		{"empty locations", Config{SecretKey: key, TokenLocation: []Location{}}, ErrInvalidConfig, "TokenLocation"},
		{"unknown location", Config{SecretKey: key, TokenLocation: []Location{"body"}}, ErrInvalidConfig, "TokenLocation"},
		{"empty methods", Config{SecretKey: key, CSRFMethods: []string{}}, ErrInvalidConfig, "CSRFMethods"},
		{"empty method", Config{SecretKey: key, CSRFMethods: []string{""}}, ErrInvalidConfig, "CSRFMethods"},
		{"type and no type", Config{SecretKey: key, HeaderType: "JWT", NoHeaderType: true}, ErrInvalidConfig, "HeaderType"},
		{"type with a space", Config{SecretKey: key, HeaderType: "My Bearer"}, ErrInvalidConfig, "HeaderType"},
		{"cookie name", Config{SecretKey: key, AccessCookieName: "a;b"}, ErrInvalidConfig, "AccessCookieName"},
		{"cookie path", Config{SecretKey: key, RefreshCookiePath: "/;x"}, ErrInvalidConfig, "RefreshCookiePath"},
		{"negative leeway", Config{SecretKey: key, DecodeLeeway: -1}, ErrInvalidConfig, "DecodeLeeway"},
	} {
		err := tc.cfg.Validate()
		if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		var ce *ConfigError
		if errors.As(err, &ce) != (tc.field != "") || ce != nil && ce.Field != tc.field {
			t.Errorf("%s: %#v, want field %q", tc.name, ce, tc.field)
		}
		if _, nerr := New(tc.cfg); (nerr == nil) != (err == nil) {
			t.Errorf("%s: New %v, Validate %v", tc.name, nerr, err)
		}
	}
}

// DefaultConfig is the zero Config's meaning, written out.
func TestDefaultConfig(t *testing.T) {
	got := Config{SecretKey: []byte(testKey)}.withDefaults()
	want := DefaultConfig()
	want.SecretKey = []byte(testKey)
	want.DecodeAlgorithms = []string{DefaultAlgorithm}
	got.Clock = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("zero Config means\n%+v\nDefaultConfig\n%+v", got, want)
	}
	m := mustNew(t, Config{SecretKey: []byte(testKey), Algorithm: "HS512", DecodeAlgorithms: []string{"HS256"}})
	if c := m.Config(); !reflect.DeepEqual(c.DecodeAlgorithms, []string{"HS256", "HS512"}) || c.SecretKey != nil {
		t.Errorf("Config() = %+v", c)
	}
}
