package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"minyi/app"
)

// cmdExport writes every result of a search (not one page) to an XLSX or CSV file, masked
// unless --unmasked, which is recorded in the audit chain with the operating-system user.
func cmdExport(env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	format := fs.String("format", "", "")
	out := fs.String("out", "", "")
	unmasked := fs.Bool("unmasked", false, "")
	var q app.SearchQuery
	searchFlags(fs, &q)
	words, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	q.Query = strings.Join(words, " ")
	if *out == "" {
		return usageErr("export 需要 --out 文件，如 minyi export --format xlsx --out 渣土车.xlsx 渣土车")
	}
	if *format == "" {
		*format = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	}
	if *format != app.FormatXLSX && *format != app.FormatCSV {
		return usageErr("--format 只能是 xlsx 或 csv")
	}
	if _, err := os.Stat(*out); err == nil {
		return &exitError{code: 1, msg: fmt.Sprintf("文件 %s 已存在，请换一个文件名或先删除它", *out)}
	}
	p, err := env.open(slog.LevelWarn)
	if err != nil {
		return err
	}
	defer p.Close()
	start := time.Now()
	last := time.Now()
	n, err := p.core.ExportFile(env.ctx, q, *out, app.ExportOptions{
		Format: *format, Unmasked: *unmasked, Actor: cliActor(),
		Progress: func(done, total int) {
			if time.Since(last) >= 2*time.Second || done == total {
				fmt.Fprintf(env.stderr, "已导出 %d / %d 条\n", done, total)
				last = time.Now()
			}
		},
	})
	if err != nil {
		return err
	}
	var size int64
	if st, err := os.Stat(*out); err == nil {
		size = st.Size()
	}
	return printJSON(env.stdout, map[string]any{"path": *out, "rows": n, "bytes": size, "masked": !*unmasked,
		"seconds": time.Since(start).Seconds()})
}
