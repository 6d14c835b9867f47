package flasksession_test

import (
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/internal/benchcase"
)

// Whole requests through gin, in process. Each scenario runs once on a bare
// engine (the baseline) and once with the middleware; the session's
// overhead is the difference:
//
//	go test -run '^$' -bench Request -benchmem -count 6 . | benchstat -
//
// The scenarios (internal/benchcase): untouched session, without and with
// a valid 5-key cookie; new session, set one key; the 5-key cookie, read
// one key; same cookie, read, modify one key, save. bench/ compares them
// with other session libraries and with the limit: the same work done by
// hand.
func BenchmarkRequest(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	defer gin.SetMode(gin.TestMode)
	cookie := benchcase.Cookie(b)
	for _, sc := range benchcase.Scenarios() {
		sent := ""
		if sc.Cookie {
			sent = cookie
		}
		bare := gin.New()
		bare.GET("/", sc.Bare)
		b.Run(sc.Name+"/bare", func(b *testing.B) { benchcase.Run(b, bare, sent, false) })

		r := gin.New()
		r.Use(flasksession.New(flasksession.Config{SecretKey: benchcase.Key}))
		r.GET("/", sc.Handler)
		b.Run(sc.Name+"/session", func(b *testing.B) { benchcase.Run(b, r, sent, sc.Saves) })
	}
}
