package memstore_test

import (
	"testing"

	"github.com/ginflask/flasksession/internal/benchcase"
	"github.com/ginflask/flasksession/memstore"
)

// Whole requests on memstore, so that no network hides the record
// format's cost: the middleware's own records (tagged JSON) against
// Config.FlaskSession's pickle and msgpack records, in one run:
//
//	go test -run '^$' -bench Records -benchmem -count 8 ./memstore | benchstat -col /records -
func BenchmarkRecords(b *testing.B) {
	benchcase.RunStore(b, memstore.New(), nil, nil)
}
