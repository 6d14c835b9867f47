package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ginflask/flasksession/flasklogin"
)

// tokensDirName is the default token directory's name under os.TempDir(),
// followed by "-UID" where the system has user IDs. flask_app.py builds the
// same path, so the two apps started side by side on one machine, without
// TOKENS_DIR, share their users' tokens.
const tokensDirName = "flasksession-accounts-tokens"

// defaultTokensDir is the token directory when TOKENS_DIR is unset:
// $TMPDIR (or /tmp)/flasksession-accounts-tokens-UID. The UID keeps two
// users of one machine out of each other's way.
func defaultTokensDir() string {
	name := tokensDirName
	if uid := os.Getuid(); uid >= 0 {
		name += "-" + strconv.Itoa(uid)
	}
	return filepath.Join(os.TempDir(), name)
}

// tokenStore holds each user's alternative token (Flask-Login's
// "alternative tokens"): a directory with one file per user, named by the
// SHA-256 of the user name in hex (any name fits in a file name), holding
// the token, 32 hex digits. flask_app.py reads and writes the same files,
// so a token changed by either app logs the user out of both.
//
// A user's ID, what the session and the remember cookie hold, is
// "name:token"; a new token makes every ID handed out before load no user.
type tokenStore struct{ dir string }

// openTokenStore creates dir if needed (mode 0700) and refuses a
// directory that others could write to: whoever can plant a token file
// can keep a revoked login alive.
func openTokenStore(dir string) (*tokenStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("TOKENS_DIR: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("TOKENS_DIR: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("TOKENS_DIR %s is not a directory", dir)
	}
	if err := checkPrivate("TOKENS_DIR", dir, fi); err != nil {
		return nil, err
	}
	return &tokenStore{dir: dir}, nil
}

// path is the file of name's token.
func (s *tokenStore) path(name string) string {
	sum := sha256.Sum256([]byte(name))
	return filepath.Join(s.dir, hex.EncodeToString(sum[:]))
}

// current returns name's token, "" when the user has none yet (or the
// file holds no valid token).
func (s *tokenStore) current(name string) (string, error) {
	b, err := os.ReadFile(s.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if tok := strings.TrimSpace(string(b)); validToken(tok) {
		return tok, nil
	}
	return "", nil
}

// ensure returns name's token, making one at the user's first login.
func (s *tokenStore) ensure(name string) (string, error) {
	if tok, err := s.current(name); err != nil || tok != "" {
		return tok, err
	}
	tmp, err := s.writeTemp(newToken())
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp)
	// A link, unlike a rename, never replaces the file: when both apps
	// make a user's first token at once, one wins and both use it.
	if err := os.Link(tmp, s.path(name)); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", err
	}
	tok, err := s.current(name)
	if err != nil || tok != "" {
		return tok, err
	}
	return s.rotate(name) // a damaged file: replace it
}

// rotate gives name a new token and returns it. The rename is atomic: a
// reader sees the old token or the new one, never a partial file.
func (s *tokenStore) rotate(name string) (string, error) {
	tok := newToken()
	tmp, err := s.writeTemp(tok)
	if err != nil {
		return "", err
	}
	if err := os.Rename(tmp, s.path(name)); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return tok, nil
}

// writeTemp writes tok to a new file of the directory (mode 0600), synced
// so that a crash cannot leave an empty token behind the rename.
func (s *tokenStore) writeTemp(tok string) (string, error) {
	f, err := os.CreateTemp(s.dir, ".tmp-")
	if err != nil {
		return "", err
	}
	_, err = f.WriteString(tok)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// newToken is 128 random bits in hex, as flask_app.py's
// secrets.token_hex(16).
func newToken() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return hex.EncodeToString(b)
}

// validToken reports whether tok is what newToken makes.
func validToken(tok string) bool {
	if len(tok) != 32 {
		return false
	}
	for _, c := range []byte(tok) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// user is anyone who gives a name (a demo, so there is no password), under
// the token their logins carry.
type user struct{ name, token string }

// ID is Flask-Login's get_id(): "name:token", the alternative token.
func (u user) ID() string { return u.name + ":" + u.token }

// loadUser is flask_app.py's user_loader: the user whose current token
// the ID carries. An ID with an old token (revoked) or none (from before
// tokens) loads no user, so the request is anonymous. This one file read
// is all that revocation costs a request.
func (s *tokenStore) loadUser(_ context.Context, id string) (flasklogin.User, error) {
	// The token has no ":", the name may.
	i := strings.LastIndexByte(id, ':')
	if i < 0 {
		return nil, nil
	}
	name, tok := id[:i], id[i+1:]
	cur, err := s.current(name)
	if err != nil {
		return nil, err
	}
	if cur == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(cur)) != 1 {
		return nil, nil
	}
	return user{name: name, token: cur}, nil
}

// revokeLogins is flasklogin.Config.RevokeLogins: a new token for the
// user, so every session and remember cookie holding the old one, in
// either app, loads no user.
func (s *tokenStore) revokeLogins(_ context.Context, u flasklogin.User) (flasklogin.User, error) {
	cur, ok := u.(user)
	if !ok {
		return nil, fmt.Errorf("revokeLogins: unexpected user type %T", u)
	}
	tok, err := s.rotate(cur.name)
	if err != nil {
		return nil, err
	}
	return user{name: cur.name, token: tok}, nil
}
