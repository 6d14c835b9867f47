package contribstore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	ginmemstore "github.com/gin-contrib/sessions/memstore"
	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/contribstore"
)

// A gin-contrib store behind the adapter: made with a key, and the
// adapter given the same key.
func Example() {
	ctx := context.Background()
	key := []byte("32 random bytes, the store's key")
	s := contribstore.New(ginmemstore.NewStore(key), key)
	expiry := time.Now().Add(time.Hour)

	_ = s.Create(ctx, "ID1", []byte(`{"user":"alice"}`), expiry)
	data, found, _ := s.Find(ctx, "ID1")
	fmt.Println(string(data), found)

	_ = s.Delete(ctx, "ID1")
	err := s.Touch(ctx, "ID1", expiry)
	fmt.Println(errors.Is(err, flasksession.ErrRecordNotFound))
	// Output:
	// {"user":"alice"} true
	// true
}
