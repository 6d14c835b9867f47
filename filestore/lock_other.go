//go:build !unix

package filestore

import (
	"os"
	"path/filepath"
	"sync"
)

// processLock stands in for flock where there is none: it covers only
// this process.
var processLock sync.Mutex

// lockDir takes processLock and returns the open lock file (it holds the
// record count) and the lock's release.
func lockDir(dir string) (*os.File, func(), error) {
	processLock.Lock()
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		processLock.Unlock()
		return nil, nil, err
	}
	return f, func() {
		f.Close()
		processLock.Unlock()
	}, nil
}
