//go:build unix

package filestore

import (
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes an exclusive flock on dir/.lock and returns the open lock
// file (it holds the record count) and the lock's release. Each call opens
// the file anew: flock locks belong to the open file, so goroutines of one
// process exclude each other as processes do.
func lockDir(dir string) (*os.File, func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil // closing releases the lock
}
