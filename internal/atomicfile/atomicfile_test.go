package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name  string
		first []byte // written before, nil for none
		data  []byte
	}{
		{"new file in a new directory", nil, []byte("model v1")},
		{"replaces an existing file", []byte("old model"), []byte("new model, longer than the old one")},
		{"empty content", []byte("old"), []byte{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "models")
			if tt.first != nil {
				if _, err := Write(dir, "m.bin", tt.first); err != nil {
					t.Fatal(err)
				}
			}
			path, err := Write(dir, "m.bin", tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(dir, "m.bin"); path != want {
				t.Errorf("path %q, want %q", path, want)
			}
			got, err := os.ReadFile(path)
			if err != nil || string(got) != string(tt.data) {
				t.Errorf("content %q (%v), want %q", got, err, tt.data)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("directory holds %d entries, want only m.bin (no temporary file left)", len(entries))
			}
		})
	}
}

// TestWriteFailureKeepsOldFile checks that a failed save leaves the previous file intact:
// here the target name is a directory, so the final rename fails.
func TestWriteFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir, "keep.bin", []byte("good")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "busy"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "busy", "x"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, "busy", []byte("new")); err == nil {
		t.Fatal("writing over a non-empty directory succeeded")
	}
	got, err := os.ReadFile(filepath.Join(dir, "keep.bin"))
	if err != nil || string(got) != "good" {
		t.Errorf("other file changed: %q %v", got, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("directory holds %d entries, want 2 (the temporary file must be removed)", len(entries))
	}
}
