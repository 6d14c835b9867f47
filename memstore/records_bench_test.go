package memstore_test

import (
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/flaskrecord"
	"github.com/ginflask/flasksession/internal/benchcase"
	"github.com/ginflask/flasksession/memstore"
)

// Whole requests on memstore, so that no network hides the record
// format's cost: the middleware's own records (tagged JSON) against
// Config.FlaskSession's pickle and msgpack records, in one run:
//
//	go test -run '^$' -bench Records -benchmem -count 8 ./memstore | benchstat -col /records -
func BenchmarkRecords(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	defer gin.SetMode(gin.TestMode)
	records := []struct {
		name string
		fs   *flasksession.FlaskSession
	}{
		{"taggedjson", nil},
		{"pickle", &flasksession.FlaskSession{Codec: flaskrecord.Codec{Format: flaskrecord.Pickle}, UseSigner: true}},
		{"msgpack", &flasksession.FlaskSession{Codec: flaskrecord.Codec{Format: flaskrecord.MsgPack}, UseSigner: true}},
	}
	for _, sc := range benchcase.Scenarios() {
		for _, permanent := range []bool{false, true} {
			if permanent && !sc.Cookie {
				continue
			}
			name := sc.Name
			if permanent {
				name += "Permanent"
			}
			for _, rec := range records {
				b.Run(name+"/records="+rec.name, func(b *testing.B) {
					cfg := flasksession.Config{SecretKey: benchcase.Key, Store: memstore.New(), FlaskSession: rec.fs}
					r := gin.New()
					r.Use(flasksession.New(cfg))
					r.GET("/", sc.Handler)
					cookie := ""
					if sc.Cookie {
						cookie = benchcase.Seed(b, cfg, permanent)
					}
					benchcase.Run(b, r, cookie, sc.Saves || permanent)
				})
			}
		}
	}
}
