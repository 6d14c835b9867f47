// Package filestore is a flasksession.Store that keeps each session in a
// file of one directory: sessions survive a restart, and the processes of
// one machine (several workers, a restarted binary) share them without a
// server to run.
//
//	store, err := filestore.New("/var/lib/myapp/sessions")
//	if err != nil {
//		log.Fatal(err)
//	}
//	r.Use(flasksession.New(flasksession.Config{SecretKey: key, Store: store}))
//
// # Files
//
// A record is the file <hex of the ID>.session (mode 0600) holding the
// data as is; its modification time is the record's expiry. A write goes
// to a temporary file renamed over the record, so a reader sees the old
// record or the new one, never a mix; Touch only changes the modification
// time. Filesystems with coarse timestamps (one or two seconds: FAT,
// HFS+, ext3) end records up to that much early. Writes are not synced:
// a power failure can lose the last ones.
//
// # Locking
//
// Create, Update, Touch and Delete hold an exclusive flock(2) on the file
// .lock in the directory, so each is atomic on its record across every
// process using the directory: the whole storetest suite passes on two
// Stores sharing a directory, and two processes incrementing one record
// with version-checked updates lose no increment. Find takes no lock. On systems without flock
// (Windows), the lock covers only the calling process. The directory must
// be on a local filesystem: flock over NFS is not reliable.
//
// # Expiry
//
// Expired records are never returned. They are removed when an operation
// meets them, and swept lazily: a Create that finds the store has grown
// since the last sweep (by as many records as it then held, and at least
// 64) removes every expired record first, and the temporary files of
// writes a crash interrupted. No goroutine runs, and nothing needs
// closing.
package filestore

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ginflask/flasksession"
)

const (
	suffix    = ".session"
	tmpPrefix = ".tmp-"
	lockName  = ".lock"
	minSweep  = 64
	maxIDLen  = 120 // 240 hex digits plus the suffix fit a 255-byte name
)

// ErrBadID is returned for an empty session ID or one longer than 120
// bytes (the middleware's are 26).
var ErrBadID = errors.New("filestore: session ID empty or too long")

// Store keeps session records in files of one directory. It is safe for
// concurrent use, by goroutines and by processes sharing the directory.
type Store struct {
	dir string
	now func() time.Time // time.Now; tests replace it

	mu         sync.Mutex // guards the sweep counters
	creates    int
	sweepEvery int
}

var _ flasksession.Store = (*Store)(nil)

// New returns a Store on dir, creating it (mode 0700) if it does not
// exist.
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	return &Store{dir: dir, now: time.Now, sweepEvery: minSweep}, nil
}

func (s *Store) path(id string) (string, error) {
	if id == "" || len(id) > maxIDLen {
		return "", ErrBadID
	}
	return filepath.Join(s.dir, hex.EncodeToString([]byte(id))+suffix), nil
}

// Find reads the record; an expired one is not found.
func (s *Store) Find(ctx context.Context, id string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	p, err := s.path(id)
	if err != nil {
		return nil, false, err
	}
	data, found, err := s.read(p)
	return data, found, err
}

// Create writes a new record, or returns flasksession.ErrRecordExists.
func (s *Store) Create(ctx context.Context, id string, data []byte, expiry time.Time) error {
	return s.locked(ctx, id, func(p string) error {
		if _, found, err := s.read(p); err != nil {
			return err
		} else if found {
			return flasksession.ErrRecordExists
		}
		if s.dueForSweep() {
			if err := s.sweep(); err != nil {
				return err
			}
		}
		return s.write(p, data, expiry)
	})
}

// Update rewrites a record that exists; see flasksession.Store for old.
func (s *Store) Update(ctx context.Context, id string, old, data []byte, expiry time.Time) error {
	return s.locked(ctx, id, func(p string) error {
		cur, found, err := s.read(p)
		switch {
		case err != nil:
			return err
		case !found:
			if err := remove(p); err != nil { // expired
				return err
			}
			return flasksession.ErrRecordNotFound
		case old != nil && !bytes.Equal(cur, old):
			return flasksession.ErrConflict
		}
		return s.write(p, data, expiry)
	})
}

// Touch sets the expiry (the file's modification time) of a record that
// exists, without rewriting it.
func (s *Store) Touch(ctx context.Context, id string, expiry time.Time) error {
	return s.locked(ctx, id, func(p string) error {
		if _, found, err := s.stat(p); err != nil {
			return err
		} else if !found {
			return flasksession.ErrRecordNotFound
		}
		if !expiry.After(s.now()) {
			return remove(p)
		}
		if err := os.Chtimes(p, time.Time{}, expiry); err != nil {
			return fmt.Errorf("filestore: %w", err)
		}
		return nil
	})
}

// Delete removes the record's file, if any.
func (s *Store) Delete(ctx context.Context, id string) error {
	return s.locked(ctx, id, remove)
}

// locked runs f on the record's path under the directory lock.
func (s *Store) locked(ctx context.Context, id string, f func(path string) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := s.path(id)
	if err != nil {
		return err
	}
	unlock, err := lockDir(s.dir)
	if err != nil {
		return fmt.Errorf("filestore: locking: %w", err)
	}
	defer unlock()
	return f(p)
}

// stat reports whether the record at p exists and has not expired; an
// expired one is removed (the caller holds the lock).
func (s *Store) stat(p string) (os.FileInfo, bool, error) {
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("filestore: %w", err)
	}
	if !fi.ModTime().After(s.now()) {
		return fi, false, remove(p)
	}
	return fi, true, nil
}

// read returns the data of the record at p if it has not expired. The
// open file pins one version of the record: its time and data agree.
func (s *Store) read(p string) ([]byte, bool, error) {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("filestore: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, fmt.Errorf("filestore: %w", err)
	}
	if !fi.ModTime().After(s.now()) {
		return nil, false, nil
	}
	data := make([]byte, fi.Size())
	if _, err := f.ReadAt(data, 0); err != nil && len(data) > 0 {
		return nil, false, fmt.Errorf("filestore: %w", err)
	}
	return data, true, nil
}

// write replaces the record at p by a file holding data that expires at
// expiry, or removes it if expiry has passed (the caller holds the lock).
func (s *Store) write(p string, data []byte, expiry time.Time) error {
	if !expiry.After(s.now()) {
		return remove(p)
	}
	f, err := os.CreateTemp(s.dir, tmpPrefix)
	if err != nil {
		return fmt.Errorf("filestore: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chtimes(tmp, time.Time{}, expiry)
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("filestore: %w", err)
	}
	return nil
}

func remove(p string) error {
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("filestore: %w", err)
	}
	return nil
}

// dueForSweep counts a Create and reports whether it should sweep.
func (s *Store) dueForSweep() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creates++
	return s.creates >= s.sweepEvery
}

// sweep removes expired records and the temporary files of interrupted
// writes (every write holds the lock the caller holds, so any temporary
// file is a leftover).
func (s *Store) sweep() error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("filestore: sweeping: %w", err)
	}
	now, kept := s.now(), 0
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, tmpPrefix):
			_ = os.Remove(filepath.Join(s.dir, name))
		case strings.HasSuffix(name, suffix):
			fi, err := e.Info()
			if err != nil {
				continue // removed meanwhile
			}
			if fi.ModTime().After(now) {
				kept++
			} else {
				_ = os.Remove(filepath.Join(s.dir, name))
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creates = 0
	s.sweepEvery = max(kept, minSweep)
	return nil
}
