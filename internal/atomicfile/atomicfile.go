// Package atomicfile writes a file so that readers see either the old content or the whole new
// one, never a half-written file: models and tables that the next start must load go through it,
// because a crash or a full disk during a save must not stop the console from starting.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write stores b as dir/name: it creates dir if needed, writes a temporary file beside the
// target, syncs it and renames it over the target. It returns the target's path. On any error
// the temporary file is removed and the previous file, if any, is left as it was.
func Write(dir, name string, b []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, name)
	f, err := os.CreateTemp(dir, name+".tmp*")
	if err != nil {
		return "", fmt.Errorf("create temporary file for %s: %w", path, err)
	}
	tmp := f.Name()
	_, werr := f.Write(b)
	if werr == nil {
		werr = f.Chmod(0o644)
	}
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("write %s: %w", path, werr)
	}
	return path, nil
}
