package flaskcookie

import (
	"testing"
	"time"

	"github.com/ginflask/flasksession/internal/flaskoracle"
)

// Every single-byte change of every valid Flask-minted cookie is refused:
// each position replaced by characters of the cookie alphabet and one
// outside it, deleted, and with a byte appended.
func TestSingleByteChangesRefused(t *testing.T) {
	const alphabet = "Aa0-_.=+/ "
	vectors, changes := 0, 0
	for _, v := range flaskoracle.Vectors(t) {
		if v.Expect != "ok" {
			continue
		}
		keys := Config{SecretKey: []byte(v.SecretKey), MaxAge: time.Duration(v.MaxAge) * time.Second}
		for _, k := range v.Fallbacks {
			keys.SecretKeyFallbacks = append(keys.SecretKeyFallbacks, []byte(k))
		}
		c := flaskMustCodec(t, keys)
		now := time.Unix(v.Now, 0)
		if _, err := c.DecodeAt(v.Cookie, now); err != nil {
			t.Fatalf("%s: the valid cookie is refused: %v", v.Name, err)
		}
		vectors++
		try := func(changed string) {
			if changed == v.Cookie {
				return
			}
			changes++
			if d, err := c.DecodeAt(changed, now); err == nil {
				t.Errorf("%s: changed cookie %q accepted: %v", v.Name, changed, d.Session)
			}
		}
		for i := 0; i < len(v.Cookie); i++ {
			for j := 0; j < len(alphabet); j++ {
				try(v.Cookie[:i] + alphabet[j:j+1] + v.Cookie[i+1:])
			}
			try(v.Cookie[:i] + v.Cookie[i+1:])
		}
		try(v.Cookie + "A")
	}
	if vectors == 0 {
		t.Fatal("no valid vectors")
	}
	t.Logf("%d single-byte changes of %d valid cookies, all refused", changes, vectors)
}
