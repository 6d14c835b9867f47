//go:build unix

package main

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkPrivate refuses a directory (the one of the setting env: the token
// directory or the JWT blocklist) that another user owns or may write to:
// under a shared /tmp, someone else could have made it first.
func checkPrivate(env, dir string, fi fs.FileInfo) error {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%s %s belongs to user %d, not to this one (%d); remove it or pick another", env, dir, st.Uid, os.Geteuid())
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%s %s is writable by other users (mode %v); chmod go-w it or pick another", env, dir, fi.Mode().Perm())
	}
	return nil
}
