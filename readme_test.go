package flasksession

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The README's quick start compiles as shown, imports included: it is
// built as a program of this module through a build overlay.
func TestREADMEQuickStartCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "## Quick start")
	if !ok {
		t.Fatal("README has no Quick start section")
	}
	_, code, ok := strings.Cut(rest, "```go\n")
	code, _, ok2 := strings.Cut(code, "```")
	if !ok || !ok2 || !strings.HasPrefix(code, "package main\n") {
		t.Fatalf("the Quick start's Go block is not a whole program:\n%s", code)
	}
	dir := t.TempDir()
	wd, _ := os.Getwd()
	src := filepath.Join(wd, "internal", "readmequickstart", "main.go") // only in the overlay
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{src: filepath.Join(dir, "main.go")}})
	if err := os.WriteFile(filepath.Join(dir, "overlay.json"), overlay, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-overlay", filepath.Join(dir, "overlay.json"), "-o", filepath.Join(dir, "quickstart"), "./internal/readmequickstart")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the README's quick start does not build: %v\n%s", err, out)
	}
}
