package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/ginflask/flasksession/flaskjwt"
)

// blocklistDirName is the default JWT blocklist's name under os.TempDir(),
// followed by "-UID" where the system has user IDs, as for the token
// directory; flask_app.py builds the same path.
const blocklistDirName = "flasksession-accounts-jwt-blocklist"

// defaultBlocklistDir is the blocklist when JWT_BLOCKLIST_DIR is unset:
// $TMPDIR (or /tmp)/flasksession-accounts-jwt-blocklist-UID.
func defaultBlocklistDir() string {
	name := blocklistDirName
	if uid := os.Getuid(); uid >= 0 {
		name += "-" + strconv.Itoa(uid)
	}
	return filepath.Join(os.TempDir(), name)
}

// blocklist holds the revoked JWTs of /api/logout: a directory with one
// empty file per revoked token, named by its jti. flask_app.py's
// token_in_blocklist_loader reads the same directory, so a token revoked
// on either app is refused by both.
type blocklist struct{ dir string }

// jtiRE is what a jti must look like to name a file: Flask-JWT-Extended and
// flaskjwt make uuid4s. Tokens are signed, so another jti comes only from
// another issuer on the same key; such tokens count as revoked.
var jtiRE = regexp.MustCompile(`^[0-9A-Za-z_-]{1,128}$`)

// openBlocklist creates dir if needed (mode 0700) and refuses a directory
// that others could write to (or empty: whoever can delete a file there
// brings a revoked token back).
func openBlocklist(dir string) (*blocklist, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("JWT_BLOCKLIST_DIR: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("JWT_BLOCKLIST_DIR: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("JWT_BLOCKLIST_DIR %s is not a directory", dir)
	}
	if err := checkPrivate("JWT_BLOCKLIST_DIR", dir, fi); err != nil {
		return nil, err
	}
	return &blocklist{dir: dir}, nil
}

// revoked is Config.TokenInBlocklist (@jwt.token_in_blocklist_loader).
func (b *blocklist) revoked(_ context.Context, t *flaskjwt.Token) (bool, error) {
	jti := t.JTI()
	if !jtiRE.MatchString(jti) {
		return true, nil
	}
	_, err := os.Stat(filepath.Join(b.dir, jti))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// revoke records jti (one that revoked has let pass) as revoked.
func (b *blocklist) revoke(jti string) error {
	if !jtiRE.MatchString(jti) {
		return fmt.Errorf("jti %q cannot name a file", jti)
	}
	f, err := os.OpenFile(filepath.Join(b.dir, jti), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}
