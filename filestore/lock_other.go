//go:build !unix

package filestore

import "sync"

// processLock stands in for flock where there is none: it covers only
// this process.
var processLock sync.Mutex

func lockDir(string) (func(), error) {
	processLock.Lock()
	return processLock.Unlock, nil
}
