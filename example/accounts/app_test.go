package main

import (
	"context"
	"strings"
	"testing"

	"github.com/ginflask/flasksession/flasklogin"
	"github.com/ginflask/flasksession/internal/exampleapp"
)

func TestParseProtection(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want flasklogin.Protection
		err  bool
	}{
		{"", flasklogin.ProtectionBasic, false},
		{"basic", flasklogin.ProtectionBasic, false},
		{"strong", flasklogin.ProtectionStrong, false},
		{"off", flasklogin.ProtectionOff, false},
		{"none", flasklogin.ProtectionOff, false},
		{"Strong", 0, true},
		{"stong", 0, true},
	} {
		got, err := parseProtection(tc.in)
		if (err != nil) != tc.err || (err == nil && got != tc.want) {
			t.Errorf("parseProtection(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// A mistyped SESSION_PROTECTION stops the program before it listens.
func TestServeRefusesUnknownProtection(t *testing.T) {
	env := map[string]string{"SECRET_KEY": testKey, "SESSION_PROTECTION": "stong"}
	var log strings.Builder
	err := exampleapp.Serve(context.Background(), "127.0.0.1:0", func(k string) string { return env[k] }, &log, newHandler)
	if err == nil || !strings.Contains(err.Error(), "stong") || strings.Contains(log.String(), "Listening") {
		t.Errorf("Serve = %v, log %q; want an error naming the value, before listening", err, log.String())
	}
}
