package taggedjson

import (
	"errors"
	"fmt"
	"testing"
)

type noFields struct{ secret int }
type onlyHidden struct {
	Name string `json:"-"`
}
type embedsExported struct{ Exported }
type Exported struct{ A int }
type errWithText struct{ Msg string }

func (e errWithText) Error() string { return e.Msg }

// Values encoding/json would write as {} or as a dict of an error's
// fields are refused: stored, they would read back as something else.
func TestLossyValuesRefused(t *testing.T) {
	for _, tt := range []struct {
		v  any
		ok bool
	}{
		{errors.New("boom"), false},
		{fmt.Errorf("wrapped: %w", errors.New("boom")), false},
		{errWithText{"boom"}, false},
		{noFields{1}, false},
		{&noFields{1}, false},
		{onlyHidden{"x"}, false},
		{map[string]any{"e": errors.New("boom")}, false},
		{struct{ A int }{1}, true},
		{embedsExported{Exported{1}}, true},
	} {
		_, err := Marshal(tt.v)
		var ute *UnsupportedTypeError
		if tt.ok != (err == nil) || (err != nil && !errors.As(err, &ute)) {
			t.Errorf("Marshal(%#v) = %v; want ok: %v, or an *UnsupportedTypeError", tt.v, err, tt.ok)
		}
	}
}
