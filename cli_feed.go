package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"minyi/app"
	"minyi/feed"
)

// cmdPull is `minyi pull [--source NAME | --url URL --format F] [--timeout 20s]`: one pull, one
// JSON line on stdout, progress and rejection reasons on stderr. It exits 0 when the pull worked
// (even with nothing new) and 1 when the source itself failed.
func cmdPull(env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("pull", flag.ContinueOnError)
	source := fs.String("source", "", "")
	rawURL := fs.String("url", "", "")
	format := fs.String("format", "", "")
	timeout := fs.Duration("timeout", feed.DefaultTimeout, "")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	timeoutSet := false
	fs.Visit(func(f *flag.Flag) { timeoutSet = timeoutSet || f.Name == "timeout" })
	switch {
	case len(rest) > 0:
		return usageErr("pull 不接受多余的参数 %q", strings.Join(rest, " "))
	case (*source == "") == (*rawURL == ""):
		return usageErr("pull 需要 --source 数据源名称，或 --url 网址 加 --format 格式（二选一）")
	case *rawURL != "" && *format == "":
		return usageErr("--url 需要同时给出 --format（rss、atom、jsonfeed、json、html、csv、xlsx 或 jsonl）")
	case *timeout <= 0:
		return usageErr("--timeout 应为正的时长，如 20s")
	}
	p, err := env.open(slog.LevelWarn)
	if err != nil {
		return err
	}
	defer p.Close()
	if _, err := p.core.LoadSourcesFile(env.ctx); err != nil {
		fmt.Fprintln(env.stderr, "注意："+err.Error())
	}
	opt := feed.FetcherOptions{}
	if timeoutSet {
		// Caps every request of the pull, also for a configured source with a longer timeout.
		opt.Client = &http.Client{Timeout: *timeout}
	}
	fetch := feed.NewFetcher(opt)
	progress := func(n int) { fmt.Fprintf(env.stderr, "已提交 %d 条\n", n) }
	var res app.PullResult
	if *source != "" {
		res, err = p.core.PullSource(env.ctx, fetch, *source, progress)
	} else {
		res, err = p.core.PullURL(env.ctx, fetch, *rawURL, *format, *timeout, progress)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(env.stderr, "拒收："+n)
	}
	if res.Source == "" {
		res.Source = *source
	}
	if perr := printJSON(env.stdout, res); err == nil {
		err = perr
	}
	switch {
	case err != nil:
		return err
	case res.Error != "":
		return &exitError{code: 1, msg: res.Error}
	}
	return nil
}

// cmdSources is `minyi sources [--json]`, `minyi sources add NAME --kind K --url U …` and
// `minyi sources remove NAME`.
func cmdSources(env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("sources", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "")
	var cfg app.SourceConfig
	fs.StringVar(&cfg.Kind, "kind", "rss", "")
	fs.StringVar(&cfg.URL, "url", "", "")
	fs.StringVar(&cfg.Folder, "folder", "", "")
	fs.StringVar(&cfg.Channel, "channel", "", "")
	fs.StringVar(&cfg.Schedule, "schedule", "", "")
	disabled := fs.Bool("disabled", false, "")
	timeout := fs.Duration("timeout", 0, "")
	fs.IntVar(&cfg.MaxMB, "max-mb", 0, "")
	mapping := fs.String("mapping", "", "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	sub := "list"
	if len(pos) > 0 {
		sub, pos = pos[0], pos[1:]
	}
	switch sub {
	case "list", "add", "remove":
	default:
		return usageErr("sources 的子命令应为 add 或 remove，而不是 %q", sub)
	}
	if sub != "list" && len(pos) != 1 {
		return usageErr("sources %s 需要一个数据源名称", sub)
	}
	if sub == "list" && len(pos) > 0 {
		return usageErr("sources 不接受多余的参数 %q", strings.Join(pos, " "))
	}
	if *mapping != "" {
		var m feed.Mapping
		if err := json.Unmarshal([]byte(*mapping), &m); err != nil {
			return usageErr("--mapping 应为 JSON，如 {\"items_path\":\"data.list\",\"title\":\"title\"}：%v", err)
		}
		cfg.Mapping = &m
	}
	p, err := env.open(slog.LevelWarn)
	if err != nil {
		return err
	}
	defer p.Close()
	if _, err := p.core.LoadSourcesFile(env.ctx); err != nil {
		fmt.Fprintln(env.stderr, "注意："+err.Error())
	}
	switch sub {
	case "add":
		cfg.Name, cfg.Enabled, cfg.TimeoutSeconds = pos[0], !*disabled, int(timeout.Seconds())
		v, err := p.core.SaveSource(env.ctx, cfg)
		if err != nil {
			return &exitError{code: 1, msg: err.Error()}
		}
		return printJSON(env.stdout, v)
	case "remove":
		if err := p.core.DeleteSource(env.ctx, pos[0]); err != nil {
			return &exitError{code: 1, msg: err.Error()}
		}
		return printJSON(env.stdout, map[string]string{"removed": pos[0]})
	}
	list, err := p.core.SourceList(env.ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(env.stdout, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(env.stdout, "尚未配置数据源。用 minyi sources add 名称 --kind rss --url 网址 添加，或在数据目录放置 sources.json。")
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "名称\t渠道\t类型\t计划\t上次拉取\t读取/新增/重复/拒收\t健康")
	for _, s := range list {
		last := "从未"
		if !s.LastRun.IsZero() {
			last = s.LastRun.In(time.Local).Format("01-02 15:04")
		}
		health := "正常"
		switch {
		case !s.Enabled:
			health = "已停用"
		case s.Failures > 0:
			health = fmt.Sprintf("连续失败 %d 次：%s", s.Failures, s.LastError)
		case s.LastError != "":
			health = s.LastError
		case s.LastRun.IsZero():
			health = "未运行"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d/%d/%d/%d\t%s\n", s.Name, s.Channel, s.Kind, s.Schedule, last,
			s.LastRead, s.LastNew, s.LastDuplicate, s.LastRejected, health)
	}
	return tw.Flush()
}
