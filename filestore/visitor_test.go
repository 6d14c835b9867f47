//go:build linux

package filestore_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAnonymousVisitorDisk logs what each anonymous visitor's record
// takes on disk (docs/server-side.md, "Anonymous visitors"): a CSRF token
// as Flask's tagged JSON (57 bytes) under a 43-character ID. It counts
// allocated blocks (st_blocks), the directory's growth and inodes, on the
// filesystem of TMPDIR:
//
//	go test -run TestAnonymousVisitorDisk -v ./filestore
func TestAnonymousVisitorDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("a measurement")
	}
	const visitors = 10_000
	dir := t.TempDir()
	s := open(t, dir)
	var token [20]byte
	rand.Read(token[:])
	data := []byte(`{"csrf_token":"` + hex.EncodeToString(token[:]) + `"}`)
	blocks := func(p string) int64 {
		var st syscall.Stat_t
		if err := syscall.Stat(p, &st); err != nil {
			t.Fatal(err)
		}
		return st.Blocks * 512
	}
	dirBefore := blocks(dir)
	expiry := time.Now().Add(24 * time.Hour)
	var b [32]byte
	for range visitors {
		rand.Read(b[:])
		if err := s.Create(t.Context(), base64.RawURLEncoding.EncodeToString(b[:]), data, expiry); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files, sizes, used int64
	var name string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".session") {
			files++
			name = e.Name()
			fi, err := e.Info()
			if err != nil {
				t.Fatal(err)
			}
			sizes += fi.Size()
			used += blocks(filepath.Join(dir, e.Name()))
		}
	}
	dirGrowth := blocks(dir) - dirBefore
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		t.Fatal(err)
	}
	t.Logf("filesystem type %#x (ext4 0xef53, tmpfs 0x1021994, xfs 0x58465342, btrfs 0x9123683e), block size %d", fs.Type, fs.Bsize)
	t.Logf("%d files, one inode each (the filesystem has %d inodes, %d free), for %d visitors; %d-byte names",
		files, fs.Files, fs.Ffree, visitors, len(name))
	t.Logf("%d bytes of data, %d bytes allocated per anonymous visitor, plus %d bytes of directory",
		sizes/files, used/files, dirGrowth/files)
}
