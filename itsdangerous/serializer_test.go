package itsdangerous

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func newSerializer(t testing.TB, salt string) *URLSafeTimedSerializer {
	t.Helper()
	cfg := SignerConfig{}
	if salt != "" {
		cfg.Salt = []byte(salt)
	}
	s, err := NewURLSafeTimedSerializer(keys("secret"), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSerializerKnownAnswers(t *testing.T) {
	// Python: URLSafeTimedSerializer("secret"[, salt="activate"]).dumps(v),
	// get_timestamp() = 1700000000. Defaults: salt "itsdangerous", django-concat.
	tests := []struct {
		salt   string
		value  any
		signed string
	}{
		{"", map[string]any{"a": 1}, "eyJhIjoxfQ.ZVPxAA.29jNa7P8cC3Mkvk3JRTL72cvH2o"},
		{"", strings.Repeat("x", 100), ".eJxTqqADUAIAfKsvJQ.ZVPxAA.d5mKZdY6wUyHbZoCn8-HZRJ66qA"},
		{"activate", []int{1, 2, 3}, "WzEsMiwzXQ.ZVPxAA.OMVZeyWQSYGx3FN6Wd4HKm5IMek"},
	}
	for _, tt := range tests {
		s := newSerializer(t, tt.salt)
		got, err := s.DumpsAt(tt.value, vectorTime)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.signed {
			t.Errorf("DumpsAt(%v) = %q, want %q", tt.value, got, tt.signed)
		}
		for _, in := range []string{tt.signed, string(got)} {
			out := reflect.New(reflect.TypeOf(tt.value))
			at, err := s.LoadsAt([]byte(in), out.Interface(), time.Hour, vectorTime)
			if err != nil || !at.Equal(vectorTime) {
				t.Errorf("LoadsAt(%q) = %v, %v", in, at, err)
				continue
			}
			want, _ := json.Marshal(tt.value)
			have, _ := json.Marshal(out.Elem().Interface())
			if !bytes.Equal(want, have) {
				t.Errorf("LoadsAt(%q) decoded %s, want %s", in, have, want)
			}
		}
	}
}

// Ported from itsdangerous tests/test_serializer.py.
func TestSerializerTampering(t *testing.T) {
	s := newSerializer(t, "")
	value := map[string]any{"id": 42.0, "name": "x"}
	signed, _ := s.DumpsAt(value, vectorTime)
	str := string(signed)
	load := func(in string) (map[string]any, error) {
		var out map[string]any
		_, err := s.LoadsAt([]byte(in), &out, 0, vectorTime)
		return out, err
	}
	if out, err := load(str); err != nil || !reflect.DeepEqual(out, value) {
		t.Fatalf("round trip: %v, %v", out, err)
	}

	// test_changed_value
	for name, in := range map[string]string{
		"upper":         strings.ToUpper(str),
		"append":        str + "a",
		"replace first": "a" + str[1:],
		"remove dots":   strings.ReplaceAll(str, ".", ""),
	} {
		if _, err := load(in); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: %v, want ErrBadSignature", name, err)
		}
	}

	// test_bad_signature_exception: the unverified payload still decodes.
	_, err := load(str[:len(str)-1])
	var bs *BadSignatureError
	if !errors.As(err, &bs) {
		t.Fatalf("truncated: %v", err)
	}
	raw, err := DecodePayload(bs.Payload, 0)
	if err != nil || !strings.Contains(string(raw), `"name":"x"`) {
		t.Errorf("payload of bad signature: %q, %v", raw, err)
	}

	// test_bad_payload_exception: a correctly signed, broken payload.
	body := str[:strings.LastIndexByte(str, '.')]
	bad := s.TimestampSigner().SignAt([]byte(body[:len(body)-1]), vectorTime)
	_, err = load(string(bad))
	var bp *BadPayloadError
	if !errors.As(err, &bp) || bp.Err == nil || errors.Is(err, ErrBadSignature) {
		t.Errorf("bad payload: %v", err)
	}
	// A payload the codec rejects is a payload error too.
	bad = s.TimestampSigner().SignAt(AppendBase64(nil, []byte("{not json")), vectorTime)
	if _, err := load(string(bad)); !errors.As(err, &bp) {
		t.Errorf("bad JSON: %v", err)
	}
	bad = s.TimestampSigner().SignAt(AppendBase64(nil, []byte("\"\xff\"")), vectorTime)
	if _, err := load(string(bad)); !errors.As(err, &bp) || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("invalid UTF-8: %v", err)
	}

	// test_alt_salt
	other := newSerializer(t, "other")
	signed, _ = other.DumpsAt(value, vectorTime)
	if _, err := load(string(signed)); !errors.Is(err, ErrBadSignature) {
		t.Errorf("other salt accepted: %v", err)
	}
	var out map[string]any
	if _, err := other.LoadsAt(signed, &out, 0, vectorTime); err != nil {
		t.Errorf("own salt: %v", err)
	}

	// Expiry passes through unchanged.
	if _, err := s.LoadsAt(signed, &out, time.Second, vectorTime.Add(time.Hour)); !errors.Is(err, ErrBadSignature) {
		t.Errorf("expired: %v", err)
	}
	signed, _ = s.DumpsAt(value, vectorTime)
	if _, err := s.LoadsAt(signed, &out, time.Second, vectorTime.Add(time.Hour)); !errors.Is(err, ErrSignatureExpired) {
		t.Errorf("expired: %v", err)
	}
}

func TestSerializerMisc(t *testing.T) {
	s := newSerializer(t, "")
	signed, err := s.Dumps("<&>")
	if err != nil || !strings.HasPrefix(string(signed), string(AppendBase64(nil, []byte(`"<&>"`)))) {
		t.Fatalf("Dumps escapes HTML: %q, %v", signed, err)
	}
	var out string
	if err := s.Loads(signed, &out, time.Minute); err != nil || out != "<&>" {
		t.Fatalf("Loads = %q, %v", out, err)
	}
	if _, err := s.Dumps(func() {}); err == nil {
		t.Fatal("Dumps of a func succeeded")
	}
	if _, err := NewURLSafeTimedSerializer(nil, SignerConfig{}, nil); err == nil {
		t.Fatal("no keys accepted")
	}
	s.MaxPayload = 10
	signed, _ = s.Dumps(strings.Repeat("abcdefghij", 10))
	if err := s.Loads(signed, &out, time.Minute); !errors.Is(err, ErrBadPayload) {
		t.Fatalf("MaxPayload ignored: %v", err)
	}
}
