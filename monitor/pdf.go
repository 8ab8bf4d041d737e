package monitor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// ErrNoChromium means PDF export was asked for but no chromium binary was found.
var ErrNoChromium = errors.New("导出 PDF 需要安装 Chromium 浏览器（/usr/bin/chromium），请改用 HTML 或 XLSX 格式")

// FindChromium returns the first chromium binary on the usual paths or $PATH, or "".
func FindChromium() string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// PrintPDF renders a self-contained HTML page to PDF with headless chromium (chromium "" finds
// one). The page loads nothing from the network (its CSP forbids it).
func PrintPDF(ctx context.Context, html []byte, chromium string) ([]byte, error) {
	if chromium == "" {
		chromium = FindChromium()
	}
	if chromium == "" {
		return nil, ErrNoChromium
	}
	dir, err := os.MkdirTemp("", "minyi-pdf")
	if err != nil {
		return nil, fmt.Errorf("pdf temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "brief.html"), filepath.Join(dir, "brief.pdf")
	if err := os.WriteFile(in, html, 0o600); err != nil {
		return nil, fmt.Errorf("pdf write html: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--user-data-dir="+filepath.Join(dir, "profile"), "--no-pdf-header-footer",
		"--print-to-pdf="+out, "file://"+in)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("chromium print-to-pdf: %w: %.300s", err, msg)
	}
	pdf, err := os.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("chromium wrote no pdf: %w", err)
	}
	return pdf, nil
}
