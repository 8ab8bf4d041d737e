package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// cmdTopics prints the hot topics of a period: `minyi topics [--since D] [--until D] [--json]`.
func cmdTopics(env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("topics", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "")
	since := fs.String("since", "", "")
	until := fs.String("until", "", "")
	limit := fs.Int("limit", 20, "")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	p, err := env.open(slog.LevelWarn)
	if err != nil {
		return err
	}
	defer p.Close()
	ts, err := p.core.Topics(env.ctx, *since, *until)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(env.stdout, ts)
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "热度\t来件\t负面\t点赞\t态势\t话题\t地点\t编号")
	for i, t := range ts {
		if *limit > 0 && i == *limit {
			break
		}
		rising := ""
		if t.Rising {
			rising = "上升"
		}
		var places []string
		for _, p := range t.Places {
			places = append(places, p.Name)
		}
		fmt.Fprintf(tw, "%.2f\t%d\t%.0f%%\t%d\t%s\t%s\t%s\t%s\n", t.Heat, t.Size, t.NegativeShare*100, t.Likes, rising,
			oneLine(t.Title, 40), strings.Join(places[:min(len(places), 3)], "、"), t.ID)
	}
	return tw.Flush()
}

// cmdAlerts prints the alert centre: `minyi alerts [--json]`.
func cmdAlerts(env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("alerts", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	p, err := env.open(slog.LevelWarn)
	if err != nil {
		return err
	}
	defer p.Close()
	as, err := p.core.Alerts(env.ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(env.stdout, as)
	}
	open := 0
	for _, a := range as {
		if !a.Acknowledged {
			open++
		}
	}
	fmt.Fprintf(env.stdout, "告警 %d 条，未确认 %d 条\n", len(as), open)
	tw := tabwriter.NewWriter(env.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "级别\t类型\t状态\t说明\t相关来件")
	for _, a := range as {
		state := "未确认"
		if a.Acknowledged {
			state = "已确认"
			if a.Assignee != "" {
				state += "·" + a.Assignee
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Level, a.Kind, state, oneLine(a.Title, 60), strings.Join(a.Evidence[:min(len(a.Evidence), 5)], " "))
	}
	return tw.Flush()
}

// cmdReport writes the brief: `minyi report --from D --to D --format xlsx|html|pdf --out FILE`.
func cmdReport(env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	from := fs.String("from", "", "")
	to := fs.String("to", "", "")
	format := fs.String("format", "", "")
	out := fs.String("out", "", "")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" || *out == "" {
		return usageErr("report 需要 --from、--to 和 --out")
	}
	if *format == "" {
		*format = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	}
	p, err := env.open(slog.LevelWarn)
	if err != nil {
		return err
	}
	defer p.Close()
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".minyi-report-*")
	if err != nil {
		return fmt.Errorf("无法写入 %s：%w", *out, err)
	}
	defer os.Remove(tmp.Name())
	_, err = p.core.WriteReport(env.ctx, *from, *to, *format, tmp)
	if err == nil {
		err = tmp.Chmod(0o644) // a report is meant to be shared, unlike the temp file's default
	}
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return fmt.Errorf("无法写入 %s：%w", *out, err)
	}
	fmt.Fprintln(env.stderr, "已生成", *out)
	return nil
}

// oneLine shortens s to n runes on one line for a table cell.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
