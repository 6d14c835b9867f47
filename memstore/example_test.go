package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/memstore"
)

// The store's own methods, as the middleware calls them.
func Example() {
	ctx := context.Background()
	s := memstore.New()
	expiry := time.Now().Add(time.Hour)

	_ = s.Create(ctx, "ID1", []byte(`{"user":"alice"}`), expiry)
	data, found, _ := s.Find(ctx, "ID1")
	fmt.Println(string(data), found)

	// A logout deletes the record; a request still holding it cannot
	// bring it back.
	_ = s.Delete(ctx, "ID1")
	err := s.Update(ctx, "ID1", nil, []byte(`{"user":"alice","cart":3}`), expiry)
	fmt.Println(errors.Is(err, flasksession.ErrRecordNotFound))
	_, found, _ = s.Find(ctx, "ID1")
	fmt.Println(found)
	// Output:
	// {"user":"alice"} true
	// true
	// false
}
