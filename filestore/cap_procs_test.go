package filestore_test

import (
	"crypto/rand"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession/filestore"
)

const (
	capChildDir = "FILESTORE_TEST_CAP_DIR"
	procCap     = 50
)

// Two processes creating records in one capped directory: the count in
// the lock file is shared, so together they stay within the cap.
func TestTwoProcessesCap(t *testing.T) {
	if os.Getenv(capChildDir) != "" {
		t.Skip("in the child process")
	}
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^TestCapChild$", "-test.count=1")
	child.Env = append(os.Environ(), capChildDir+"="+dir)
	var out strings.Builder
	child.Stdout, child.Stderr = &out, &out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	createMany(t, dir)
	if err := child.Wait(); err != nil {
		t.Fatalf("child: %v\n%s", err, out.String())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".session") {
			n++
		}
	}
	if n > procCap || n < procCap-procCap/16 {
		t.Errorf("%d records after 2×%d Creates, cap %d: want %d to %d", n, 4*procCap, procCap, procCap-procCap/16, procCap)
	}
}

// TestCapChild is TestTwoProcessesCap's child process.
func TestCapChild(t *testing.T) {
	dir := os.Getenv(capChildDir)
	if dir == "" {
		t.Skip("run by TestTwoProcessesCap")
	}
	createMany(t, dir)
}

func createMany(t *testing.T, dir string) {
	s, err := filestore.New(dir, filestore.WithMaxRecords(procCap))
	if err != nil {
		t.Fatal(err)
	}
	for range 4 * procCap {
		if err := s.Create(t.Context(), rand.Text(), []byte("v"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
}
