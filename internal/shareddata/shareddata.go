// Package shareddata finds the public evaluation data sets that tests and benchmarks read: the
// TRAIN splits in ../shared/data beside the repository. The product itself never reads them.
package shareddata

import (
	"os"
	"path/filepath"
)

// fallback is where the data sits on the developers' machines.
const fallback = "/work/shared/data"

// Dir returns the data directory: $MINYI_SHARED_DATA, else ../shared/data beside the repository
// root (where CI puts it), else the developers' location; "" when none exists.
func Dir() string {
	var candidates []string
	if v := os.Getenv("MINYI_SHARED_DATA"); v != "" {
		candidates = append(candidates, v)
	}
	if root := repoRoot(); root != "" {
		candidates = append(candidates, filepath.Join(root, "..", "shared", "data"))
	}
	candidates = append(candidates, fallback)
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
	}
	return ""
}

// Path joins parts under Dir; the result does not exist when Dir is "".
func Path(parts ...string) string {
	d := Dir()
	if d == "" {
		d = fallback
	}
	return filepath.Join(append([]string{d}, parts...)...)
}

// repoRoot walks up from the working directory (a package directory under go test) to go.mod.
func repoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
