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
// with version-checked updates lose no increment. Find and Expiry take no
// lock. On systems without flock (Windows), the lock covers only the
// calling process. The directory must be on a local filesystem: flock
// over NFS is not reliable.
//
// # Expiry
//
// Expired records are never returned. They are removed when an operation
// meets them, and swept lazily: a Create that finds the store has grown
// since the last sweep (by as many records as it then held, and at least
// 64) removes every expired record first, and the temporary files of
// writes a crash interrupted. No goroutine runs, and nothing needs
// closing.
//
// # Capping the records
//
// Without WithMaxRecords the directory grows with every new session: a
// file, and an inode, for each cookieless visitor that gets a session (a
// CSRF token on a form), which an unauthenticated client can create at
// will. WithMaxRecords(n) caps it. The lock file keeps the number of
// record files, updated under the lock by every Create and every removal,
// so the cap holds across the processes sharing the directory (give them
// all the same cap: a process without one keeps the count but never
// evicts). A Create that finds the count at n lists the directory,
// removes the expired records and then, if more than n-n/16 are left,
// the ones that expire soonest (oldest modification time first) until
// n-n/16 are: short-lived anonymous records go before long-lived
// logged-in sessions, and a session about to expire goes before both.
// An evicted session is lost, as if it had expired.
//
// Cost: every Create and removal reads and writes 8 bytes of the lock
// file. Evicting a sixteenth of the cap at once leaves room for the next
// n/16 Creates, so once the store is full one Create in n/16 lists the
// directory: a lstat(2) of every file, a sort of the live records by
// expiry, their names (about 130 bytes each) held meanwhile, and the
// unlinks; on average about 16 lstat calls and one unlink per Create. The
// count drifts only if a process dies between writing a file and counting
// it, or something else removes files; every listing, the lazy sweep's
// included, sets it right.
package filestore

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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
// bytes (the middleware's are 43).
var ErrBadID = errors.New("filestore: session ID empty or too long")

// Store keeps session records in files of one directory. It is safe for
// concurrent use, by goroutines and by processes sharing the directory.
type Store struct {
	dir string
	max int              // most record files; 0: no cap
	now func() time.Time // time.Now; tests replace it

	mu         sync.Mutex // guards the sweep counters
	creates    int
	sweepEvery int
}

var (
	_ flasksession.Store        = (*Store)(nil)
	_ flasksession.ExpiryReader = (*Store)(nil)
)

// Option changes a setting of New.
type Option func(*Store)

// WithMaxRecords caps the directory at n records (n <= 0: no cap, the
// default). A Create that finds the store full removes the expired
// records, then the ones that expire soonest; see the package doc.
func WithMaxRecords(n int) Option {
	return func(s *Store) { s.max = max(n, 0) }
}

// New returns a Store on dir, creating it (mode 0700) if it does not
// exist.
func New(dir string, opts ...Option) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	s := &Store{dir: dir, now: time.Now, sweepEvery: minSweep}
	for _, o := range opts {
		o(s)
	}
	return s, nil
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
	data, found, _, err := s.read(p)
	return data, found, err
}

// Expiry returns when the record under id expires: its file's
// modification time, to the filesystem's precision; found is false for a
// record that is missing or expired. It implements
// flasksession.ExpiryReader.
func (s *Store) Expiry(ctx context.Context, id string) (time.Time, bool, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, false, err
	}
	p, err := s.path(id)
	if err != nil {
		return time.Time{}, false, err
	}
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("filestore: %w", err)
	}
	if !fi.ModTime().After(s.now()) {
		return time.Time{}, false, nil
	}
	return fi.ModTime(), true, nil
}

// Create writes a new record, or returns flasksession.ErrRecordExists.
// With a cap, a Create that finds the store full evicts first.
func (s *Store) Create(ctx context.Context, id string, data []byte, expiry time.Time) error {
	return s.locked(ctx, id, func(p string, lock *os.File) (int, error) {
		_, found, exists, err := s.read(p)
		switch {
		case err != nil:
			return 0, err
		case found:
			return 0, flasksession.ErrRecordExists
		}
		delta := 0
		if exists { // expired
			n, err := remove(p)
			if delta -= n; err != nil {
				return delta, err
			}
		}
		if !expiry.After(s.now()) {
			return delta, nil
		}
		n, known := readCount(lock)
		full := s.max > 0 && (!known || n+delta >= s.max)
		if full || s.dueForSweep() {
			if err := s.sweep(lock, full); err != nil {
				return delta, err
			}
			delta = 0 // the sweep counted the files
		}
		n, err = s.write(p, data, expiry, false)
		return delta + n, err
	})
}

// Update rewrites a record that exists; see flasksession.Store for old.
func (s *Store) Update(ctx context.Context, id string, old, data []byte, expiry time.Time) error {
	return s.locked(ctx, id, func(p string, _ *os.File) (int, error) {
		cur, found, exists, err := s.read(p)
		switch {
		case err != nil:
			return 0, err
		case !found && exists: // expired
			n, err := remove(p)
			return -n, cmp.Or(err, flasksession.ErrRecordNotFound)
		case !found:
			return 0, flasksession.ErrRecordNotFound
		case old != nil && !bytes.Equal(cur, old):
			return 0, flasksession.ErrConflict
		}
		return s.write(p, data, expiry, true)
	})
}

// Touch sets the expiry (the file's modification time) of a record that
// exists, without rewriting it.
func (s *Store) Touch(ctx context.Context, id string, expiry time.Time) error {
	return s.locked(ctx, id, func(p string, _ *os.File) (int, error) {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return 0, flasksession.ErrRecordNotFound
		}
		if err != nil {
			return 0, fmt.Errorf("filestore: %w", err)
		}
		now := s.now()
		if !fi.ModTime().After(now) { // expired
			n, err := remove(p)
			return -n, cmp.Or(err, flasksession.ErrRecordNotFound)
		}
		if !expiry.After(now) {
			n, err := remove(p)
			return -n, err
		}
		if err := os.Chtimes(p, time.Time{}, expiry); err != nil {
			return 0, fmt.Errorf("filestore: %w", err)
		}
		return 0, nil
	})
}

// Delete removes the record's file, if any.
func (s *Store) Delete(ctx context.Context, id string) error {
	return s.locked(ctx, id, func(p string, _ *os.File) (int, error) {
		n, err := remove(p)
		return -n, err
	})
}

// locked runs f on the record's path under the directory lock, and adds
// to the count of record files the change f reports, also when f fails
// halfway.
func (s *Store) locked(ctx context.Context, id string, f func(path string, lock *os.File) (delta int, err error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := s.path(id)
	if err != nil {
		return err
	}
	lock, unlock, err := lockDir(s.dir)
	if err != nil {
		return fmt.Errorf("filestore: locking: %w", err)
	}
	defer unlock()
	delta, err := f(p, lock)
	if delta != 0 {
		if n, known := readCount(lock); known {
			writeCount(lock, n+delta)
		}
	}
	return err
}

// The lock file holds the number of record files in the directory as 8
// little-endian bytes, changed only under the lock. A shorter file (new,
// or from a version that kept no count) means the number is not known
// until the next listing. Errors are ignored: the count only says when
// to list the directory, and every listing sets it right.

func readCount(lock *os.File) (int, bool) {
	var b [8]byte
	if _, err := lock.ReadAt(b[:], 0); err != nil {
		return 0, false
	}
	return int(binary.LittleEndian.Uint64(b[:])), true
}

func writeCount(lock *os.File, n int) {
	_, _ = lock.WriteAt(binary.LittleEndian.AppendUint64(nil, uint64(max(n, 0))), 0)
}

// read returns the data of the record at p if it has not expired, and
// whether a file is there at all. The open file pins one version of the
// record: its time and data agree.
func (s *Store) read(p string) (data []byte, found, exists bool, err error) {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, false, nil
	}
	if err != nil {
		return nil, false, false, fmt.Errorf("filestore: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, true, fmt.Errorf("filestore: %w", err)
	}
	if !fi.ModTime().After(s.now()) {
		return nil, false, true, nil
	}
	data = make([]byte, fi.Size())
	if _, err := f.ReadAt(data, 0); err != nil && len(data) > 0 {
		return nil, false, true, fmt.Errorf("filestore: %w", err)
	}
	return data, true, true, nil
}

// write replaces the record at p by a file holding data that expires at
// expiry, or removes it if expiry has passed (the caller holds the lock).
// It returns the change in the number of record files; replacing says
// whether a file is at p.
func (s *Store) write(p string, data []byte, expiry time.Time, replacing bool) (int, error) {
	if !expiry.After(s.now()) {
		n, err := remove(p)
		return -n, err
	}
	f, err := os.CreateTemp(s.dir, tmpPrefix)
	if err != nil {
		return 0, fmt.Errorf("filestore: %w", err)
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
		return 0, fmt.Errorf("filestore: %w", err)
	}
	if replacing {
		return 0, nil
	}
	return 1, nil
}

// remove removes the file at p, if any, and returns 1 if it did.
func remove(p string) (int, error) {
	err := os.Remove(p)
	switch {
	case err == nil:
		return 1, nil
	case errors.Is(err, fs.ErrNotExist):
		return 0, nil
	}
	return 0, fmt.Errorf("filestore: %w", err)
}

// dueForSweep counts a Create and reports whether it should sweep.
func (s *Store) dueForSweep() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creates++
	return s.creates >= s.sweepEvery
}

// recordFile is a live record met by a sweep.
type recordFile struct {
	name string
	exp  int64 // modification time, Unix nanoseconds
}

// sweep lists the directory and removes expired records and the
// temporary files of interrupted writes (every write holds the lock the
// caller holds, so any temporary file is a leftover). Under a cap it then
// evicts: when the store is full, or when full says the count found it
// full and more than n-n/16 records are left, it removes the records that
// expire soonest until n-n/16 are left. It writes the number of records
// to the lock file.
func (s *Store) sweep(lock *os.File, full bool) error {
	d, err := os.Open(s.dir)
	if err != nil {
		return fmt.Errorf("filestore: sweeping: %w", err)
	}
	defer d.Close()
	now := s.now()
	var live []recordFile // only under a cap
	kept := 0
	for {
		// In batches: the names of a large directory are not all held.
		entries, err := d.ReadDir(1024)
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
				if !fi.ModTime().After(now) {
					_ = os.Remove(filepath.Join(s.dir, name))
					continue
				}
				kept++
				if s.max > 0 {
					live = append(live, recordFile{name, fi.ModTime().UnixNano()})
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("filestore: sweeping: %w", err)
		}
	}
	if target := s.max - max(s.max/16, 1); s.max > 0 && (kept >= s.max || (full && kept > target)) {
		slices.SortFunc(live, func(a, b recordFile) int {
			return cmp.Or(cmp.Compare(a.exp, b.exp), strings.Compare(a.name, b.name))
		})
		for _, r := range live {
			if kept <= target {
				break
			}
			if n, err := remove(filepath.Join(s.dir, r.name)); err == nil {
				kept -= n
			}
		}
	}
	writeCount(lock, kept)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creates = 0
	s.sweepEvery = max(kept, minSweep)
	return nil
}
