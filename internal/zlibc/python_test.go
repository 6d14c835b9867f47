package zlibc

import (
	"bytes"
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"

	"github.com/ginflask/flasksession/internal/realtest"
)

// pythonCompress is Python's zlib.compress, the call itsdangerous makes,
// run on each input; the bytes cross as hex, one input a line.
const pythonCompress = `
import sys, zlib
for line in sys.stdin:
    print(zlib.compress(bytes.fromhex(line.strip())).hex())
`

// TestCompressMatchesPython holds Compress to the installed Python's
// zlib.compress byte for byte, over the whole corpus and the vectors.
func TestCompressMatchesPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		realtest.Missing(t, "python3 not found: %v", err)
		return
	}
	inputs := zlibCorpus()
	for _, v := range zlibVectors {
		inputs = append(inputs, []byte(v.in))
	}
	var stdin bytes.Buffer
	for _, in := range inputs {
		stdin.WriteString(hex.EncodeToString(in) + "\n")
	}
	cmd := exec.Command(py, "-c", pythonCompress)
	cmd.Stdin = &stdin
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	lines := strings.Fields(string(out))
	if len(lines) != len(inputs) {
		t.Fatalf("python3 answered %d of %d inputs", len(lines), len(inputs))
	}
	for i, in := range inputs {
		got, _ := Compress(nil, in, -1)
		if want := lines[i]; hex.EncodeToString(got) != want {
			t.Errorf("input %d (%d bytes): %d bytes differ from Python's %d", i, len(in), len(got), len(want)/2)
		}
	}
}
