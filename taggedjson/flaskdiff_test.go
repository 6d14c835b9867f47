package taggedjson

import (
	"bufio"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// TestFlaskDiffDump is the Go half of testdata/flask_diff.py, a differential
// check against real Flask on thousands of generated inputs. It only runs
// when that script sets FLASKSESSION_DIFF_IN: it reads hex-encoded inputs,
// one per line, and writes "OK <hex of Marshal(Unmarshal(input))>" or "ERR"
// for each to FLASKSESSION_DIFF_OUT.
func TestFlaskDiffDump(t *testing.T) {
	in := os.Getenv("FLASKSESSION_DIFF_IN")
	if in == "" {
		t.Skip("run by testdata/flask_diff.py")
	}
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := os.Create(os.Getenv("FLASKSESSION_DIFF_OUT"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	w := bufio.NewWriter(out)
	defer w.Flush()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		data, err := hex.DecodeString(strings.TrimSpace(sc.Text()))
		if err != nil {
			t.Fatal(err)
		}
		v, err := Unmarshal(data)
		if err == nil {
			var b []byte
			if b, err = Marshal(v); err == nil {
				w.WriteString("OK " + hex.EncodeToString(b) + "\n")
				continue
			}
		}
		w.WriteString("ERR\n")
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}
