package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"minyi/app"
	"minyi/store"
)

// parseFlags parses flags wherever they stand among the positional arguments
// (so `search 噪音 --json` works as well as `search --json 噪音`).
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageErr("%s 的参数错误：%v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func cmdDemo(env *cliEnv, args []string) error {
	if _, err := parseFlags(flag.NewFlagSet("demo", flag.ContinueOnError), args); err != nil {
		return err
	}
	p, err := env.open(slog.LevelWarn)
	if err != nil {
		return err
	}
	defer p.Close()
	res, err := p.core.LoadDemo(env.ctx)
	if err != nil {
		return err
	}
	return printJSON(env.stdout, res)
}

func cmdImport(env *cliEnv, args []string) error {
	files, err := parseFlags(flag.NewFlagSet("import", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageErr("import 需要至少一个文件（.jsonl、.csv 或 .xlsx）")
	}
	p, err := env.open(slog.LevelWarn)
	if err != nil {
		return err
	}
	defer p.Close()
	res, err := p.core.Import(env.ctx, files, func(committed int) {
		fmt.Fprintf(env.stderr, "已提交 %d 条\n", committed)
	})
	if perr := printJSON(env.stdout, res); err == nil {
		err = perr
	}
	return err
}

// cliHit is one hit as `search --json` prints it (the contract other tools script against).
type cliHit struct {
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	Time       string  `json:"time"`
	Category   string  `json:"category"`
	Department string  `json:"department"`
	Status     string  `json:"status"`
	Score      float64 `json:"score"`
	Snippet    string  `json:"snippet"`
}

// markReplacer shows the index's highlight markers as 【】 on a terminal and in JSON.
var markReplacer = strings.NewReplacer("\ue000", "【", "\ue001", "】")

// searchFlags binds the filter flags that search and export share.
func searchFlags(fs *flag.FlagSet, q *app.SearchQuery) {
	fs.StringVar(&q.Category, "category", "", "")
	fs.StringVar(&q.Department, "department", "", "")
	fs.StringVar(&q.Status, "status", "", "")
	fs.StringVar(&q.District, "district", "", "")
	fs.StringVar(&q.Channel, "channel", "", "")
	fs.StringVar(&q.Sentiment, "sentiment", "", "")
	fs.StringVar(&q.Since, "since", "", "")
	fs.StringVar(&q.Until, "until", "", "")
	fs.StringVar(&q.Sort, "sort", "", "")
}

func cmdSearch(env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "")
	limit := fs.Int("limit", 20, "")
	offset := fs.Int("offset", 0, "")
	var q app.SearchQuery
	searchFlags(fs, &q)
	words, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *limit < 0 || *offset < 0 {
		return usageErr("--limit 与 --offset 不能为负数")
	}
	q.Query, q.Limit, q.Offset = strings.Join(words, " "), *limit, *offset
	p, err := env.open(slog.LevelWarn)
	if err != nil {
		return err
	}
	defer p.Close()
	res, err := p.core.Search(env.ctx, q)
	if err != nil {
		return err
	}
	if *asJSON {
		out := struct {
			Total  int                       `json:"total"`
			Hits   []cliHit                  `json:"hits"`
			Facets map[string]map[string]int `json:"facets"`
		}{Total: res.Total, Hits: []cliHit{}, Facets: res.Facets}
		for _, h := range res.Hits {
			out.Hits = append(out.Hits, cliHit{ID: h.ID, Title: h.Title, Time: h.Time, Category: h.Category,
				Department: h.Department, Status: h.Status, Score: h.Score, Snippet: markReplacer.Replace(h.Snippet)})
		}
		return printJSON(env.stdout, out)
	}
	fmt.Fprintf(env.stdout, "共 %d 条（%.1f 毫秒）\n", res.Total, res.TookMS)
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	for _, h := range res.Hits {
		t, _ := time.Parse(time.RFC3339, h.Time)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", h.ID, t.Format("2006-01-02 15:04"), h.Category, h.Status, h.Title)
	}
	return tw.Flush()
}

func cmdShow(env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("show", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "")
	ids, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return usageErr("show 需要一个记录编号，如 minyi show M000123")
	}
	p, err := env.open(slog.LevelWarn)
	if err != nil {
		return err
	}
	defer p.Close()
	v, err := p.core.Get(env.ctx, ids[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(env.stdout, v.Record)
	}
	r := v.Record
	w := env.stdout
	fmt.Fprintf(w, "%s  %s\n", r.ID, r.Title)
	fmt.Fprintf(w, "时间：%s    渠道：%s    来源：%s    状态：%s\n", r.Time.Format("2006-01-02 15:04"), r.Channel, r.Source, r.Status)
	fmt.Fprintf(w, "分类：%s    事项：%s    情感：%s    区县：%s %s    优先级：%d\n",
		r.Analysis.Category, r.Analysis.Matter, r.Analysis.Sentiment, r.Analysis.District, r.Analysis.Street, r.Analysis.Priority)
	for i, s := range r.Suggestions {
		fmt.Fprintf(w, "建议部门 %d：%s（%.0f%%）%s\n", i+1, s.Department, s.Confidence*100, strings.Join(s.Reasons, "；"))
	}
	if len(r.Analysis.Keywords) > 0 {
		fmt.Fprintf(w, "关键词：%s\n", strings.Join(r.Analysis.Keywords, "、"))
	}
	fmt.Fprintf(w, "\n%s\n", r.Body)
	return nil
}

func cmdReindex(env *cliEnv, args []string) error {
	if _, err := parseFlags(flag.NewFlagSet("reindex", flag.ContinueOnError), args); err != nil {
		return err
	}
	// Take the store's lock before touching the index, so a running console is never disturbed.
	s, err := store.Open(env.ctx, env.dbPath())
	if err != nil {
		return err
	}
	s.Close()
	start := time.Now()
	if err := os.RemoveAll(env.indexPath()); err != nil {
		return fmt.Errorf("删除旧索引 %s 失败：%w", env.indexPath(), err)
	}
	p, err := env.open(slog.LevelWarn) // open indexes everything the (now empty) index lacks
	if err != nil {
		return err
	}
	defer p.Close()
	n, err := p.index.Count()
	if err != nil {
		return err
	}
	return printJSON(env.stdout, map[string]any{"indexed": n, "seconds": time.Since(start).Seconds()})
}

func cmdBackup(env *cliEnv, args []string) error {
	files, err := parseFlags(flag.NewFlagSet("backup", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageErr("backup 需要一个目标文件，如 minyi backup /tmp/minyi-backup.db")
	}
	dest, err := filepath.Abs(files[0])
	if err != nil {
		return err
	}
	s, err := store.Open(env.ctx, env.dbPath())
	var n int64
	switch {
	case errors.Is(err, store.ErrLocked):
		// The console is running: it writes the backup from its open database.
		rep, aerr := app.AskConsole(env.ctx, env.socketPath(), app.ControlRequest{Op: "backup", Path: dest})
		if aerr != nil {
			return fmt.Errorf("数据目录正被使用，且未能请运行中的控制台备份：%w", aerr)
		}
		n = rep.Bytes
	case err != nil:
		return err
	default:
		defer s.Close()
		if n, err = s.BackupFile(env.ctx, dest); err != nil {
			return err
		}
	}
	return printJSON(env.stdout, map[string]any{"backup": dest, "bytes": n})
}

func cmdRestore(env *cliEnv, args []string) error {
	files, err := parseFlags(flag.NewFlagSet("restore", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageErr("restore 需要一个备份文件，如 minyi restore /tmp/minyi-backup.db")
	}
	n, err := store.Validate(env.ctx, files[0])
	if err != nil {
		return err
	}
	if err := os.MkdirAll(env.dataDir, 0o700); err != nil {
		return err
	}
	// Hold the lock while replacing, so a console cannot start (or be running) meanwhile.
	s, err := store.Open(env.ctx, env.dbPath())
	if errors.Is(err, store.ErrLocked) {
		return &exitError{code: 1, msg: "民意控制台正在使用该数据目录，请先关闭它再恢复。"}
	}
	if err != nil {
		return err
	}
	tmp := env.dbPath() + ".restore"
	if err := copyFile(files[0], tmp); err != nil {
		s.Close()
		return fmt.Errorf("复制备份失败：%w", err)
	}
	if err := os.Rename(tmp, env.dbPath()); err != nil {
		s.Close()
		os.Remove(tmp)
		return fmt.Errorf("替换数据库失败：%w", err)
	}
	s.Close()
	// The index belongs to the old data: rebuild it from the restored store.
	if err := os.RemoveAll(env.indexPath()); err != nil {
		return err
	}
	p, err := env.open(slog.LevelWarn)
	if err != nil {
		return err
	}
	defer p.Close()
	return printJSON(env.stdout, map[string]any{"restored": files[0], "records": n})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
