package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDirPrefersTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("MINYI_SHARED_DATA", dir)
	if got := Dir(); got != dir {
		t.Fatalf("Dir() = %q, want %q", got, dir)
	}
	if got := Path("a", "b.jsonl"); got != filepath.Join(dir, "a", "b.jsonl") {
		t.Fatalf("Path = %q", got)
	}
}

func TestDirFindsSharedBesideTheRepository(t *testing.T) {
	t.Setenv("MINYI_SHARED_DATA", filepath.Join(t.TempDir(), "missing"))
	root := repoRoot()
	if root == "" {
		t.Fatal("no go.mod above the package directory")
	}
	want := filepath.Join(root, "..", "shared", "data")
	if st, err := os.Stat(want); err != nil || !st.IsDir() {
		t.Skipf("no %s on this machine", want)
	}
	if got := Dir(); got != want {
		t.Fatalf("Dir() = %q, want %q", got, want)
	}
}
