package flaskoracle

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVectorsCurrent has both Flasks regenerate testdata/vectors.json in
// memory (gen_vectors.py --check) and requires the file to be identical, so
// a change to the generator or to either Flask cannot leave stale golden
// files behind. A copy with one cookie changed must be reported stale.
func TestVectorsCurrent(t *testing.T) {
	var witnesses []string
	for _, py := range Pythons() {
		witnesses = append(witnesses, Require(t, py).Path)
	}
	script := filepath.Join(filepath.Dir(VectorsPath()), "gen_vectors.py")
	check := func(t *testing.T, file string) (string, error) {
		cmd := exec.Command(witnesses[0], script, "--check", "--witnesses", strings.Join(witnesses, ","), "--file", file)
		cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	t.Run("current", func(t *testing.T) {
		t.Parallel()
		if out, err := check(t, VectorsPath()); err != nil {
			t.Fatalf("gen_vectors.py --check: %v\n%s", err, out)
		}
	})
	t.Run("stale copy refused", func(t *testing.T) {
		t.Parallel()
		data, err := os.ReadFile(VectorsPath())
		if err != nil {
			t.Fatal(err)
		}
		stale := bytes.Replace(data, []byte(`"cookie": "e30.`), []byte(`"cookie": "e31.`), 1)
		if bytes.Equal(stale, data) {
			t.Fatal(`no "cookie": "e30. in vectors.json to change`)
		}
		file := filepath.Join(t.TempDir(), "vectors.json")
		if err := os.WriteFile(file, stale, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := check(t, file)
		if _, exit := err.(*exec.ExitError); !exit || !strings.Contains(out, "is stale: vector empty differs") {
			t.Fatalf("gen_vectors.py --check on a stale copy: %v\n%s", err, out)
		}
	})
}
