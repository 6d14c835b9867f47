package flasksession

import (
	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession/internal/sessionkeys"
)

// flasklogin and csrf take the session middleware's keys when their own
// Config leaves SecretKey empty: one key, named once, for the program.
func init() { sessionkeys.Of = keysOf }

// keysOf is sessionkeys.Of: the keys of the Config the request's session
// works under, the innermost middleware's while the session is unused
// (reconfigure), so the keys that sign the session sign the rest.
func keysOf(c *gin.Context) (key []byte, fallbacks [][]byte, ok bool) {
	s, ok := Lookup(c)
	if !ok {
		return nil, nil, false
	}
	s.mu.Lock() // reconfigure may swap r.m
	m := s.r.m
	s.mu.Unlock()
	return m.cfg.SecretKey, m.cfg.SecretKeyFallbacks, true
}
