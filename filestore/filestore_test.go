package filestore_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ginflask/flasksession"
	"github.com/ginflask/flasksession/filestore"
	"github.com/ginflask/flasksession/storetest"
)

func open(t testing.TB, dir string) *filestore.Store {
	s, err := filestore.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStore(t *testing.T) {
	dir := t.TempDir()
	storetest.Run(t, func(t *testing.T) flasksession.Store { return open(t, dir) })
}

// The suite on one capped directory shared by every subtest, through two
// stores as two processes, so that the later subtests run at the cap and
// evict: each subtest's records are the newest and expire last, so what
// goes is earlier subtests' records. The cap leaves room for the most
// records a subtest keeps (50) after a sixteenth is evicted.
func TestStoreCapped(t *testing.T) {
	dir := t.TempDir()
	storetest.Run(t, func(t *testing.T) flasksession.Store {
		a, err := filestore.New(dir, filestore.WithMaxRecords(100))
		if err != nil {
			t.Fatal(err)
		}
		b, err := filestore.New(dir, filestore.WithMaxRecords(100))
		if err != nil {
			t.Fatal(err)
		}
		return storetest.Alternate(a, b)
	})
}

func TestMiddleware(t *testing.T) {
	dir := t.TempDir()
	storetest.RunMiddleware(t, func(t *testing.T) flasksession.Store {
		return storetest.Alternate(open(t, dir), open(t, dir))
	})
}

// Two stores on one directory, as two processes: each call goes to the
// other one, and the whole suite passes, Atomic* included (each
// operation opens and flocks the lock file itself, as another process
// would).
func TestTwoStores(t *testing.T) {
	dir := t.TempDir()
	storetest.Run(t, func(t *testing.T) flasksession.Store {
		return storetest.Alternate(open(t, dir), open(t, dir))
	})
}

const (
	childDir = "FILESTORE_TEST_DIR"
	counter  = "COUNTER"
	perProc  = 100
)

// Two processes each add 1 to a counter in one record perProc times, by
// Find then Update with the version check, retrying on ErrConflict: no
// increment is lost.
func TestTwoProcesses(t *testing.T) {
	if os.Getenv(childDir) != "" {
		t.Skip("in the child process")
	}
	dir := t.TempDir()
	s := open(t, dir)
	if err := s.Create(t.Context(), counter, []byte("0"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	child := exec.Command(os.Args[0], "-test.run=^TestCounterChild$", "-test.count=1")
	child.Env = append(os.Environ(), childDir+"="+dir)
	var out strings.Builder
	child.Stdout, child.Stderr = &out, &out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	increment(t, s)
	if err := child.Wait(); err != nil {
		t.Fatalf("child: %v\n%s", err, out.String())
	}
	data, _, err := s.Find(t.Context(), counter)
	if err != nil || string(data) != strconv.Itoa(2*perProc) {
		t.Errorf("counter = %q, %v; want %d", data, err, 2*perProc)
	}
}

// TestCounterChild is TestTwoProcesses's child process.
func TestCounterChild(t *testing.T) {
	dir := os.Getenv(childDir)
	if dir == "" {
		t.Skip("run by TestTwoProcesses")
	}
	increment(t, open(t, dir))
}

func increment(t *testing.T, s *filestore.Store) {
	ctx := t.Context()
	for range perProc {
		for {
			cur, found, err := s.Find(ctx, counter)
			if err != nil || !found {
				t.Fatalf("Find = %v, %v", found, err)
			}
			n, _ := strconv.Atoi(string(cur))
			err = s.Update(ctx, counter, cur, []byte(strconv.Itoa(n+1)), time.Now().Add(time.Hour))
			if err == nil {
				break
			}
			if !errors.Is(err, flasksession.ErrConflict) {
				t.Fatalf("Update: %v", err)
			}
		}
	}
}

// Any ID names a file inside the directory; empty and overlong ones are
// refused.
func TestIDs(t *testing.T) {
	ctx := t.Context()
	parent := t.TempDir()
	dir := filepath.Join(parent, "sessions")
	s := open(t, dir)
	exp := time.Now().Add(time.Hour)
	for _, id := range []string{"../escape", "/etc/passwd", ".", "..", "a\x00b", "Aa", "aA", "é", strings.Repeat("x", 120)} {
		if err := s.Create(ctx, id, []byte(id), exp); err != nil {
			t.Errorf("Create(%q): %v", id, err)
			continue
		}
		if data, found, err := s.Find(ctx, id); err != nil || !found || string(data) != id {
			t.Errorf("Find(%q) = %q, %v, %v", id, data, found, err)
		}
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Errorf("files outside the store's directory: %v", entries)
	}
	for _, id := range []string{"", strings.Repeat("x", 121)} {
		if err := s.Create(ctx, id, nil, exp); !errors.Is(err, filestore.ErrBadID) {
			t.Errorf("Create(%d-byte ID): %v, want ErrBadID", len(id), err)
		}
		if _, _, err := s.Find(ctx, id); !errors.Is(err, filestore.ErrBadID) {
			t.Errorf("Find(%d-byte ID): %v, want ErrBadID", len(id), err)
		}
	}
}

func TestNewFails(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := filestore.New(filepath.Join(file, "sub")); err == nil {
		t.Error("New under a regular file: no error")
	}
}
