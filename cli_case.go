package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"minyi/app"
	"minyi/casework"
	"minyi/store"
)

// The case-work commands: a case and its timeline, lifecycle actions, deadline arithmetic, the
// audit chain and department KPIs.

// cliActor is who the audit chain records for actions taken from the command line.
func cliActor() string {
	if u := os.Getenv("USER"); u != "" {
		return "命令行:" + u
	}
	return "命令行"
}

// cmdCase is `minyi case ID [--json]` and `minyi case act ID ACTION [--to DEPT] [--reason TEXT]`.
func cmdCase(env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("case", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "")
	to := fs.String("to", "", "")
	reason := fs.String("reason", "", "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	act := len(pos) > 0 && pos[0] == "act"
	switch {
	case act && len(pos) != 3:
		return usageErr("用法：minyi case act 记录编号 操作 [--to 部门] [--reason 原因]，操作如 受理、派单、退单、办结")
	case !act && len(pos) != 1:
		return usageErr("用法：minyi case 记录编号 [--json]")
	}
	p, err := env.open(slog.LevelWarn)
	if err != nil {
		return err
	}
	defer p.Close()
	id := pos[0]
	if act {
		id = pos[1]
		if _, err := p.core.Act(env.ctx, id, pos[2], *to, *reason, cliActor()); err != nil {
			return &exitError{code: 1, msg: fmt.Sprintf("%s %s：%v", id, pos[2], err)}
		}
	}
	v, err := p.core.Case(env.ctx, id)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(env.stdout, v)
	}
	printCase(env, v)
	return nil
}

func printCase(env *cliEnv, v app.CaseView) {
	w := env.stdout
	r := v.Record
	fmt.Fprintf(w, "%s  %s\n", r.ID, r.Title)
	fmt.Fprintf(w, "案件：%s（%d 条来信）    状态：%s    承办部门：%s\n", v.CaseID, len(v.Messages), r.Status, orDash(r.Department))
	if v.Due != "" {
		due, _ := time.Parse(time.RFC3339, v.Due)
		late := ""
		if v.Overdue {
			late = "（已逾期）"
		}
		fmt.Fprintf(w, "办理期限：%s %s%s\n", due.Format("2006-01-02 15:04"), weekday(due), late)
	}
	for i, s := range v.Suggestions {
		flag := ""
		if s.Flagged {
			flag = "【常被退单】"
		}
		fmt.Fprintf(w, "建议部门 %d：%s（%.0f%%）%s%s\n", i+1, s.Department, s.Confidence*100, flag, strings.Join(s.Reasons, "；"))
	}
	if len(v.Allowed) > 0 {
		fmt.Fprintf(w, "可执行操作：%s\n", strings.Join(v.Allowed, "、"))
	}
	if len(v.Messages) > 1 {
		fmt.Fprintln(w, "\n案件内来信：")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, m := range v.Messages {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", m.ID, m.Time[:16], m.Channel, m.Title)
		}
		tw.Flush()
	}
	if len(v.SamePerson) > 0 {
		fmt.Fprintln(w, "\n同一来信人近期其他来信：")
		for _, m := range v.SamePerson {
			fmt.Fprintf(w, "  %s  %s  %s\n", m.ID, m.Time[:10], m.Title)
		}
	}
	fmt.Fprintln(w, "\n办理过程：")
	if len(v.Timeline) == 0 {
		fmt.Fprintln(w, "  （尚无操作）")
	}
	for _, ev := range v.Timeline {
		step := ev.Action
		if ev.From != ev.To {
			step += fmt.Sprintf("（%s → %s）", ev.From, ev.To)
		}
		fmt.Fprintf(w, "  %s  %s  %s  %s", ev.Time.In(cst).Format("2006-01-02 15:04"), ev.ID, ev.Actor, step)
		if ev.Reason != "" {
			fmt.Fprintf(w, "  %s", ev.Reason)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\n%s\n", r.Body)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

var cst = time.FixedZone("CST", 8*3600)

var weekdays = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

func weekday(t time.Time) string { return weekdays[t.In(cst).Weekday()] }

// cmdDeadline is `minyi deadline --from YYYY-MM-DD --days N [--working] [--json]`: the due date N
// natural days (rolled forward to a working day, as statutory deadlines are) or N working days
// after from, on the calendar of the data directory (calendar.tsv, else the built-in one).
func cmdDeadline(env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("deadline", flag.ContinueOnError)
	from := fs.String("from", "", "")
	days := fs.String("days", "", "")
	working := fs.Bool("working", false, "")
	asJSON := fs.Bool("json", false, "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *from == "" || *days == "" {
		return usageErr("用法：minyi deadline --from YYYY-MM-DD --days N [--working]")
	}
	start, err := time.ParseInLocation("2006-01-02", *from, cst)
	if err != nil {
		return usageErr("--from 的日期格式应为 YYYY-MM-DD，例如 2026-09-30")
	}
	n, err := strconv.Atoi(*days)
	if err != nil || n < 0 {
		return usageErr("--days 应为不小于 0 的整数")
	}
	cal, err := casework.LoadCalendar(env.ctx, filepath.Join(env.dataDir, casework.CalendarFile))
	if err != nil {
		return fmt.Errorf("读取节假日日历失败：%w", err)
	}
	due := deadline(cal, start, n, *working)
	if *asJSON {
		return printJSON(env.stdout, map[string]any{"from": *from, "days": n, "working": *working,
			"due": due.Format("2006-01-02"), "weekday": weekday(due), "provisional": cal.IsProvisional(due.Year())})
	}
	note := ""
	if !cal.Covers(due.Year()) {
		note = "（该年份的节假日安排未收录，仅按周末计算）"
	} else if cal.IsProvisional(due.Year()) {
		note = "（该年份节假日为暂定安排）"
	}
	fmt.Fprintf(env.stdout, "%s %s%s\n", due.Format("2006-01-02"), weekday(due), note)
	return nil
}

// deadline is the due day n natural or working days after from (from's own day not counted).
func deadline(cal *casework.Calendar, from time.Time, n int, working bool) time.Time {
	if working {
		return cal.AddWorkingDays(from, n)
	}
	return cal.AddWorkingDays(from.AddDate(0, 0, n), 0)
}

// cmdAudit is `minyi audit verify [--json]` and `minyi audit export FILE.xlsx`.
func cmdAudit(env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 || (pos[0] == "verify" && len(pos) != 1) || (pos[0] == "export" && len(pos) != 2) ||
		(pos[0] != "verify" && pos[0] != "export") {
		return usageErr("用法：minyi audit verify | minyi audit export 文件.xlsx")
	}
	p, err := env.openStore()
	if err != nil {
		return err
	}
	defer p.Close()
	if pos[0] == "export" {
		f, err := os.Create(pos[1])
		if err != nil {
			return fmt.Errorf("无法创建 %s：%w", pos[1], err)
		}
		n, err := p.store.WriteAuditXLSX(env.ctx, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(pos[1])
			return err
		}
		fmt.Fprintf(env.stdout, "已导出 %d 条审计记录到 %s\n", n, pos[1])
		return nil
	}
	rep, err := p.store.VerifyAudit(env.ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := printJSON(env.stdout, rep); err != nil {
			return err
		}
	} else if rep.OK {
		fmt.Fprintf(env.stdout, "审计记录完整：共 %d 条，链头 #%d %s\n", rep.Entries, rep.HeadSeq, rep.HeadHash)
	}
	if !rep.OK {
		return &exitError{code: 3, msg: fmt.Sprintf("审计记录被改动：%s（已校验完好的 %d 条）", rep.Problem, rep.Entries)}
	}
	return nil
}

// openStore opens only the store: the audit commands need neither the segmenter nor the index.
func (e *cliEnv) openStore() (*parts, error) {
	if _, err := os.Stat(e.dbPath()); err != nil {
		return nil, fmt.Errorf("数据目录 %s 中没有民意数据库", e.dataDir)
	}
	st, err := store.Open(e.ctx, e.dbPath())
	if err != nil {
		return nil, err
	}
	return &parts{store: st}, nil
}

// cmdKPI is `minyi kpi [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]`.
func cmdKPI(env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("kpi", flag.ContinueOnError)
	from := fs.String("from", "", "")
	to := fs.String("to", "", "")
	asJSON := fs.Bool("json", false, "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("用法：minyi kpi [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]")
	}
	p, err := env.open(slog.LevelWarn)
	if err != nil {
		return err
	}
	defer p.Close()
	rep, err := p.core.KPIs(env.ctx, *from, *to)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(env.stdout, rep)
	}
	fmt.Fprintf(env.stdout, "部门绩效 %s 至 %s\n", rep.From, rep.To)
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "部门\t派单\t退单\t退单率\t答复\t按时办结率\t平均办理(小时)\t回访\t满意率\t逾期")
	pct := func(v float64, den int) string {
		if den == 0 {
			return "—"
		}
		return fmt.Sprintf("%.0f%%", v*100)
	}
	for _, k := range rep.Rows {
		hours := "—"
		if k.AvgHandleHours > 0 {
			hours = fmt.Sprintf("%.1f", k.AvgHandleHours)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%s\t%s\t%d\t%s\t%d\n", k.Department, k.Dispatched, k.Returned, pct(k.ReturnRate, k.Dispatched),
			k.Replied, pct(k.OnTimeRate, k.Replied), hours, k.Visits, pct(k.SatisfactionRate, k.Visits), k.Overdue)
	}
	return tw.Flush()
}
