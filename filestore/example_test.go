package filestore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/ginflask/flasksession/filestore"
)

func Example() {
	dir, err := os.MkdirTemp("", "sessions")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	s, err := filestore.New(dir)
	if err != nil {
		log.Fatal(err)
	}
	_ = s.Create(ctx, "ID1", []byte(`{"user":"alice"}`), time.Now().Add(time.Hour))

	// Another process on the same directory sees the record.
	other, _ := filestore.New(dir)
	data, found, _ := other.Find(ctx, "ID1")
	fmt.Println(string(data), found)
	// Output: {"user":"alice"} true
}
