package itsdangerous

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

var vectorTime = time.Unix(1700000000, 0)

func flaskSigner(t testing.TB, ks ...string) *TimestampSigner {
	t.Helper()
	ts, err := NewTimestampSigner(keys(ks...), FlaskSessionConfig())
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestTimestampSignerKnownAnswers(t *testing.T) {
	// Python: TimestampSigner with Flask's parameters, get_timestamp() = 1700000000.
	tests := []struct {
		keys   []string
		value  string
		signed string
	}{
		{[]string{vectorKey}, "eyJhIjoxfQ", "eyJhIjoxfQ.ZVPxAA.ZQFCiGKBptNwZUpIHmZ4DsCHjik"},
		{[]string{vectorKey}, "", ".ZVPxAA.mUbUooBe-RNCPFyCWnl3iKlG40E"},
		{[]string{vectorKey}, ".eJyrVkpJVbJSSs7PS85JTVOqBQAqxQVC", ".eJyrVkpJVbJSSs7PS85JTVOqBQAqxQVC.ZVPxAA.cDAlONGIFZt7nBf0U3ql4CrBg70"},
		{[]string{"old key"}, "eyJhIjoxfQ", "eyJhIjoxfQ.ZVPxAA.Z1vM8Yu_KgaYCCb6VQoinL_4mMs"},
		{[]string{"old key", "new key"}, "eyJhIjoxfQ", "eyJhIjoxfQ.ZVPxAA.KbIlgrgjZ16zg9KyNy5dwvnxNNc"},
	}
	for _, tt := range tests {
		ts := flaskSigner(t, tt.keys...)
		if got := string(ts.SignAt([]byte(tt.value), vectorTime.Add(999*time.Millisecond))); got != tt.signed {
			t.Errorf("SignAt(%q) = %q, want %q", tt.value, got, tt.signed)
		}
		if n := ts.signedOverhead(vectorTime); n != len(tt.signed)-len(tt.value) {
			t.Errorf("signedOverhead = %d, want %d", n, len(tt.signed)-len(tt.value))
		}
		u, err := ts.UnsignAt([]byte(tt.signed), 31*24*time.Hour, vectorTime)
		if err != nil || string(u.Value) != tt.value || !u.SignedAt.Equal(vectorTime) || u.Key != len(tt.keys)-1 {
			t.Errorf("UnsignAt(%q) = %+v, %v", tt.signed, u, err)
		}
		if u.SignedAt.Location() != time.UTC {
			t.Errorf("SignedAt not in UTC: %v", u.SignedAt)
		}
	}
	// A value signed with the old key verifies under the rotated list, key 0.
	rotated := flaskSigner(t, "old key", "new key")
	u, err := rotated.UnsignAt([]byte("eyJhIjoxfQ.ZVPxAA.Z1vM8Yu_KgaYCCb6VQoinL_4mMs"), 0, vectorTime)
	if err != nil || u.Key != 0 || string(u.Value) != "eyJhIjoxfQ" {
		t.Errorf("rotated UnsignAt = %+v, %v", u, err)
	}
}

func TestTimestampSignerMaxAge(t *testing.T) {
	ts := flaskSigner(t, "secret-key")
	signed := ts.SignAt([]byte("value"), vectorTime)
	tests := []struct {
		name   string
		maxAge time.Duration
		now    time.Time
		age    time.Duration // expected Age in the error; 0 = no error
	}{
		{"+1s", 10 * time.Second, vectorTime.Add(time.Second), 0}, // itsdangerous test_max_age
		{"same second", 10 * time.Second, vectorTime.Add(999 * time.Millisecond), 0},
		{"age == max", 10 * time.Second, vectorTime.Add(10 * time.Second), 0},
		{"age == max, late in the second", 10 * time.Second, vectorTime.Add(10*time.Second + 999*time.Millisecond), 0},
		{"+11s", 10 * time.Second, vectorTime.Add(11 * time.Second), 11 * time.Second},
		{"fractional max", 10500 * time.Millisecond, vectorTime.Add(11 * time.Second), 11 * time.Second},
		{"future", 10 * time.Second, vectorTime.Add(-time.Second), -time.Second}, // itsdangerous test_future
		{"future by a fraction", 10 * time.Second, vectorTime.Add(-time.Nanosecond), -time.Second},
		{"no max age, old", 0, vectorTime.Add(1000 * time.Hour), 0},
		{"no max age, future", -1, vectorTime.Add(-1000 * time.Hour), 0},
	}
	for _, tt := range tests {
		u, err := ts.UnsignAt(signed, tt.maxAge, tt.now)
		if tt.age == 0 {
			if err != nil || string(u.Value) != "value" {
				t.Errorf("%s: UnsignAt = %+v, %v", tt.name, u, err)
			}
			continue
		}
		var se *SignatureExpiredError
		if !errors.As(err, &se) {
			t.Errorf("%s: UnsignAt = %+v, %v; want *SignatureExpiredError", tt.name, u, err)
			continue
		}
		if !se.DateSigned.Equal(vectorTime) || se.Age != tt.age || se.MaxAge != tt.maxAge || string(se.Payload) != "value" {
			t.Errorf("%s: error fields %+v", tt.name, se)
		}
		if u.Value != nil || u.Key != -1 {
			t.Errorf("%s: result %+v on error", tt.name, u)
		}
		for _, target := range []error{ErrSignatureExpired, ErrBadTimeSignature, ErrBadSignature, ErrBadData} {
			if !errors.Is(err, target) {
				t.Errorf("%s: %v is not %v", tt.name, err, target)
			}
		}
		if errors.Is(err, ErrBadPayload) {
			t.Errorf("%s: expiry is a payload error", tt.name)
		}
		want := "> 10 seconds"
		if tt.age < 0 {
			want = "< 0 seconds"
		} else if tt.maxAge%time.Second != 0 {
			want = "> 10.5 seconds"
		}
		if !strings.HasPrefix(err.Error(), "itsdangerous: signature age ") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: message %q, want %q", tt.name, err, want)
		}
	}
}

func TestTimestampSignerErrors(t *testing.T) {
	ts := flaskSigner(t, "secret-key")
	plain, _ := NewSigner(keys("secret-key"), FlaskSessionConfig())
	good := string(ts.SignAt([]byte("value"), vectorTime))
	zeroSig := strings.Repeat("A", 27)
	tests := []struct {
		name    string
		in      string
		msg     string
		payload string
		timed   bool
		date    time.Time // DateSigned, zero if none
	}{
		{"no separator", "value", "no '.' found", "", false, time.Time{}},
		{"empty", "", "no '.' found", "", false, time.Time{}},
		// Bad signature and nothing to split a timestamp from: Python re-raises the plain error.
		{"bad sig, no timestamp", "value." + zeroSig, msgMismatch, "value", false, time.Time{}},
		{"bad sig, good timestamp", "value.ZVPxAA." + zeroSig, msgMismatch, "value", true, vectorTime},
		{"tampered value", "valuE" + good[5:], msgMismatch, "valuE", true, vectorTime},
		{"tampered timestamp", "value.ZVPxAQ" + good[12:], msgMismatch, "value", true, vectorTime.Add(time.Second)},
		{"truncated signature", good[:len(good)-1], msgMismatch, "value", true, vectorTime},
		{"bad sig, undecodable timestamp", "value.*." + zeroSig, msgMismatch, "value", true, time.Time{}},
		// itsdangerous test_malformed_timestamp: a huge timestamp under a bad signature.
		{"bad sig, huge timestamp", "value.__________8." + zeroSig, msgMalformedTS, "value", true, time.Time{}},
		// Signed correctly but not by a timestamp signer: "timestamp missing".
		{"timestamp missing", string(plain.Sign([]byte("value"))), msgTimestampMissing, "value", true, time.Time{}},
		// Signed correctly, 9-byte timestamp: "Malformed timestamp".
		{"9-byte timestamp", string(plain.Sign([]byte("value.____________"))), msgMalformedTS, "value", true, time.Time{}},
		{"timestamp not base64", string(plain.Sign([]byte("value.Z="))), msgMalformedTS, "value", true, time.Time{}},
		// Python would fail building a datetime for year 10000; here it is malformed.
		{"timestamp past 9999", string(plain.Sign([]byte("value.Ov_0QYA"))), msgMalformedTS, "value", true, time.Time{}},
		{"timestamp 2^64-1", string(plain.Sign([]byte("value.__________8"))), msgMalformedTS, "value", true, time.Time{}},
	}
	for _, tt := range tests {
		u, err := ts.UnsignAt([]byte(tt.in), 10*time.Second, vectorTime)
		var bs *BadSignatureError
		if !errors.As(err, &bs) {
			t.Errorf("%s: UnsignAt(%q) = %+v, %v; want *BadSignatureError", tt.name, tt.in, u, err)
			continue
		}
		if u.Value != nil || u.Key != -1 {
			t.Errorf("%s: result %+v on error", tt.name, u)
		}
		if !strings.HasPrefix(err.Error(), "itsdangerous: "+tt.msg[:10]) {
			t.Errorf("%s: message %q, want %q", tt.name, err, tt.msg)
		}
		if string(bs.Payload) != tt.payload || bs.Timed != tt.timed || !bs.DateSigned.Equal(tt.date) {
			t.Errorf("%s: fields %+v", tt.name, bs)
		}
		if errors.Is(err, ErrBadTimeSignature) != tt.timed || !errors.Is(err, ErrBadSignature) ||
			errors.Is(err, ErrSignatureExpired) || errors.Is(err, ErrBadPayload) {
			t.Errorf("%s: wrong error class for %v", tt.name, err)
		}
	}
}

func TestTimestampLimits(t *testing.T) {
	plain, _ := NewSigner(keys("k"), FlaskSessionConfig())
	ts := flaskSigner(t, "k")
	// The last second Python's datetime can hold is accepted.
	var buf [8]byte
	last := string(AppendBase64(nil, intBytes(&buf, maxTimestamp)))
	u, err := ts.UnsignAt(plain.Sign([]byte("v."+last)), 0, vectorTime)
	if err != nil || u.SignedAt.Year() != 9999 {
		t.Errorf("year 9999 timestamp: %+v, %v", u, err)
	}
	// Before 1970 signs as 0, an empty timestamp; Python reads that as 0 too.
	signed := ts.SignAt([]byte("v"), time.Unix(-5, 0))
	if !bytes.HasPrefix(signed, []byte("v..")) {
		t.Fatalf("pre-1970 SignAt = %q", signed)
	}
	u, err = ts.UnsignAt(signed, 0, vectorTime)
	if err != nil || !u.SignedAt.Equal(time.Unix(0, 0)) {
		t.Errorf("zero timestamp: %+v, %v", u, err)
	}
	// Far-future timestamps report a saturated age rather than overflowing.
	if _, err := ts.UnsignAt(plain.Sign([]byte("v."+last)), time.Second, vectorTime); !errors.Is(err, ErrSignatureExpired) {
		t.Errorf("year 9999 with max age: %v", err)
	}
	if d := secondsToDuration(-maxTimestamp); d >= 0 {
		t.Errorf("secondsToDuration overflowed: %v", d)
	}
}

func TestTimestampSignerNow(t *testing.T) {
	ts := flaskSigner(t, "k")
	u, err := ts.Unsign(ts.Sign([]byte("v")), time.Minute)
	if err != nil || string(u.Value) != "v" || time.Since(u.SignedAt) > time.Minute {
		t.Fatalf("Sign/Unsign now: %+v, %v", u, err)
	}
	if ts.Signer().Sep() != '.' {
		t.Fatal("Signer()")
	}
}

func TestTimestampSignerAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are unreliable under the race detector")
	}
	ts := flaskSigner(t, vectorKey)
	value := []byte("eyJhIjoxfQ")
	dst := make([]byte, 0, 128)
	signed := ts.SignAt(value, vectorTime)
	ts.UnsignAt(signed, time.Hour, vectorTime)
	if n := testing.AllocsPerRun(100, func() { ts.AppendSignAt(dst[:0], value, vectorTime) }); n != 0 {
		t.Errorf("AppendSignAt with room: %v allocs", n)
	}
	if n := testing.AllocsPerRun(100, func() { ts.SignAt(value, vectorTime) }); n != 1 {
		t.Errorf("SignAt: %v allocs", n)
	}
	if n := testing.AllocsPerRun(100, func() { ts.UnsignAt(signed, time.Hour, vectorTime) }); n != 0 {
		t.Errorf("UnsignAt: %v allocs", n)
	}
}
