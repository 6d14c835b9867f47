package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit statuses.
const (
	exitOK         = 0
	exitError      = 1 // bad input, or a cookie that fails verification
	exitUsage      = 2 // unknown command, bad flags, missing arguments
	exitUnverified = 3 // inspect without a key: shown, not authenticated
)

const usage = `flasksession: Flask session cookies and keys from the command line

Usage:
  flasksession genkey [-bytes N] [-base64]
      Print a new random secret key, ready for SECRET_KEY.
  flasksession inspect [-key K] [-fallback K]... [-max-age D] [-at TIME] [-json] COOKIE
      Show what a session cookie holds: values with their Go and Python
      types, signing time and age. With a key the signature and age are
      checked; without one the content is UNVERIFIED and the exit status
      is 3, since anyone can write a cookie that reads like it. -json
      prints one object: {"verified": true|false, "key": 0 for the current
      key, n for the n-th -fallback, null when unverified, "signed_at",
      "compressed", "session": the session as Flask's tagged JSON}.
  flasksession sign [-key K] [-permanent] [-compress] [-at TIME] JSON
      Mint a session cookie from a JSON object (Flask's tagged JSON
      accepted, e.g. {" t": [1, 2]} for a tuple), for tests.

Keys: -key K, or the SECRET_KEY environment variable. A key is used as the
bytes of its text, as Flask uses a str SECRET_KEY. An empty -key or an
empty but set SECRET_KEY is an error, not "no key": unset SECRET_KEY to
inspect without a key. COOKIE and JSON may be
"-" to read standard input; COOKIE may be pasted with its "session=" prefix
and attributes.

Exit status: 0 ok (for inspect: signature valid), 1 bad input or
verification failure, 2 usage error, 3 inspect without a key (content
shown, not verified).
`

// stdin is the standard input; tests replace it.
var stdin io.Reader = os.Stdin

// run is the whole program; main only binds it to the process.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, args := args[0], args[1:]
	env := cmdEnv{stdin: stdin, stdout: stdout, stderr: stderr, lookupEnv: os.LookupEnv}
	var err error
	switch cmd {
	case "genkey":
		err = genkey(env, args)
	case "inspect":
		err = inspect(env, args)
	case "sign":
		err = sign(env, args)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "flasksession: unknown command %q: use genkey, inspect or sign\n\n%s", cmd, usage)
		return exitUsage
	}
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case err == errUnverified:
		return exitUnverified
	case errors.Is(err, flag.ErrHelp):
		return exitOK // the flag package printed the help
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "flasksession %s: %s\nRun `flasksession help` for usage.\n", cmd, ue.msg)
		return exitUsage
	default:
		fmt.Fprintln(stderr, err)
		return exitError
	}
}

// errUnverified is how inspect reports a cookie it showed without a key
// to verify it: not an error message, an exit status.
var errUnverified = errors.New("unverified")

// cmdEnv is what a command may touch, so tests can supply their own.
type cmdEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	lookupEnv      func(string) (string, bool)
}

// usageError is a mistake in the command line (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// newFlags returns a FlagSet whose parse errors become usageErrors.
func newFlags(env cmdEnv, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	return fs
}

// parseArgs parses flags and positional arguments in any order
// (`inspect COOKIE -key K` as well as `inspect -key K COOKIE`); "--" ends
// the flags.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// readArg returns arg, or standard input when arg is "-".
func readArg(env cmdEnv, arg string) (string, error) {
	if arg != "-" {
		return arg, nil
	}
	b, err := io.ReadAll(env.stdin)
	if err != nil {
		return "", fmt.Errorf("flasksession: reading standard input: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// keyFlags are the -key and -fallback flags shared by inspect and sign.
type keyFlags struct {
	key       string
	keySet    bool
	fallbacks stringList
}

func (k *keyFlags) register(fs *flag.FlagSet, withFallbacks bool) {
	fs.Func("key", "secret `KEY` (default: $SECRET_KEY)", func(s string) error {
		k.key, k.keySet = s, true
		return nil
	})
	if withFallbacks {
		fs.Var(&k.fallbacks, "fallback", "old `KEY` that still verifies (Flask SECRET_KEY_FALLBACKS, oldest first); repeatable")
	}
}

// secret returns the key from -key or SECRET_KEY, and where it came from.
func (k *keyFlags) secret(env cmdEnv) (key []byte, from string, err error) {
	if k.keySet {
		if k.key == "" {
			return nil, "", usagef("-key is empty")
		}
		return []byte(k.key), "-key", nil
	}
	if v, ok := env.lookupEnv("SECRET_KEY"); ok {
		if v == "" {
			return nil, "", usagef("SECRET_KEY is set but empty")
		}
		return []byte(v), "$SECRET_KEY", nil
	}
	return nil, "", nil
}

func (k *keyFlags) fallbackKeys() ([][]byte, error) {
	out := make([][]byte, len(k.fallbacks))
	for i, f := range k.fallbacks {
		if f == "" {
			return nil, usagef("-fallback #%d is empty", i+1)
		}
		out[i] = []byte(f)
	}
	return out, nil
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }
