package taggedjson_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ginflask/flasksession/internal/flaskoracle"
	"github.com/ginflask/flasksession/taggedjson"
)

// flaskDiffSeeds are the generator seeds of TestFlaskDiff;
// FLASKSESSION_DIFF_SEEDS (such as "1-20") overrides them.
var flaskDiffSeeds = []int{1, 2, 3}

// TestFlaskDiff is a differential check against real Flask: for each seed,
// testdata/flask_diff.py generates 14,000 inputs (random tagged JSON,
// dates, UUIDs, base64, lone surrogates) and reports what Flask's
// dumps(loads(x)) gives, and what it gives under the differences the
// package doc lists. Marshal(Unmarshal(x)) must equal Flask's result, or
// the modelled one when a documented difference applies; any other result
// is a mismatch. FLASKSESSION_DIFF_CORPUS adds the inputs of a Go fuzz
// corpus directory.
func TestFlaskDiff(t *testing.T) {
	seeds := flaskDiffSeeds
	if s := os.Getenv("FLASKSESSION_DIFF_SEEDS"); s != "" {
		seeds = parseSeeds(t, s)
	}
	for _, py := range flaskoracle.Pythons() {
		t.Run(py.Name, func(t *testing.T) {
			python := flaskoracle.Require(t, py).Path
			for _, seed := range seeds {
				t.Run("seed"+strconv.Itoa(seed), func(t *testing.T) {
					t.Parallel() // each seed waits on its own Python
					flaskDiff(t, python, seed)
				})
			}
		})
	}
}

func flaskDiff(t *testing.T, python string, seed int) {
	args := []string{"testdata/flask_diff.py", strconv.Itoa(seed)}
	if dir := os.Getenv("FLASKSESSION_DIFF_CORPUS"); dir != "" {
		args = append(args, dir)
	}
	cmd := exec.Command(python, args...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("flask_diff.py: %v\n%s", err, stderr.String())
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<24)
	if !sc.Scan() {
		t.Fatalf("flask_diff.py printed nothing; stderr:\n%s", stderr.String())
	}
	var head struct {
		Flask  string `json:"flask"`
		Inputs int    `json:"inputs"`
	}
	if err := json.Unmarshal(sc.Bytes(), &head); err != nil {
		t.Fatalf("flask_diff.py header %q: %v", sc.Bytes(), err)
	}
	var n, same, flaskErrs, mismatches int
	documented := map[string]int{}
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 4 {
			t.Fatalf("flask_diff.py line %q", sc.Text())
		}
		data, err := hex.DecodeString(f[0])
		if err != nil {
			t.Fatal(err)
		}
		n++
		flask, model, kinds := f[1], f[2], f[3]
		if flask == "ERR" {
			flaskErrs++
		}
		got := goResult(data)
		switch {
		case got == flask:
			same++
		case model != "-" && got == model:
			documented[kinds]++
		default:
			mismatches++
			if mismatches <= 20 {
				t.Errorf("input %.200q\n    Go:    %s\n    Flask: %s\n    model: %s (%s)",
					data, readable(got), readable(flask), readable(model), kinds)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n != head.Inputs || n < 14000 {
		t.Fatalf("compared %d inputs, want the %d flask_diff.py announced (at least 14000)", n, head.Inputs)
	}
	// The generator must reach both outcomes, or the check proves little.
	if flaskErrs < n/20 || flaskErrs > n-n/20 {
		t.Errorf("Flask failed on %d of %d inputs; the generator has degenerated", flaskErrs, n)
	}
	t.Logf("Flask %s, seed %d: %d inputs, %d identical (%d of them errors), documented differences %s, %d mismatches",
		head.Flask, seed, n, same, flaskErrs, formatCounts(documented), mismatches)
}

// goResult is the Go counterpart of a flask_diff.py result.
func goResult(data []byte) string {
	v, err := taggedjson.Unmarshal(data)
	if err != nil {
		return "ERR"
	}
	b, err := taggedjson.Marshal(v)
	if err != nil {
		return "ERR"
	}
	return "OK:" + hex.EncodeToString(b)
}

// readable turns "OK:<hex>" into the JSON text.
func readable(r string) string {
	if h, ok := strings.CutPrefix(r, "OK:"); ok {
		if b, err := hex.DecodeString(h); err == nil {
			return fmt.Sprintf("%.200s", b)
		}
	}
	return r
}

func formatCounts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// parseSeeds reads "1,2,5" or "1-20".
func parseSeeds(t *testing.T, s string) []int {
	var seeds []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || b < a {
			t.Fatalf("FLASKSESSION_DIFF_SEEDS=%q: want seeds like 1,2,5 or 1-20", s)
		}
		for i := a; i <= b; i++ {
			seeds = append(seeds, i)
		}
	}
	return seeds
}
