package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"minyi/casework"
	"minyi/domain"
	"minyi/monitor"
)

// Store documents the monitor keeps (JSON, in the store's key-value bucket).
const (
	docAlerts        = "monitor.alerts"
	docCounts        = "monitor.counts"
	docSettings      = "monitor.settings"
	docOverdueCheck  = "monitor.overdue_checked"
	docAckPrefix     = "monitor.ack."
	maxStoredAlerts  = 1000
	overdueCheckGap  = time.Hour
	webhookDeadline  = 2 * time.Minute
	maxTopicMessages = 500
	watchRecent      = 7 * 24 * time.Hour
	briefTopicDays   = 30
)

// ErrTopicNotFound means a topic id no longer matches a topic (the data or the range changed).
var ErrTopicNotFound = errors.New("未找到该话题，请刷新热点话题列表")

// ErrAlertNotFound means no alert has the id.
var ErrAlertNotFound = errors.New("未找到该告警")

// ErrReportFormat means a report format other than xlsx, html or pdf was asked for.
var ErrReportFormat = errors.New("报告格式应为 xlsx、html 或 pdf")

// MonitorSettings are the officer-editable alert settings.
type MonitorSettings struct {
	WebhookURL string              `json:"webhook_url"` // 企业微信/钉钉 robot; "" = none
	WatchLists []monitor.WatchList `json:"watch_lists"` // nil = the defaults
}

func (c *Core) monitorSettings(ctx context.Context) (MonitorSettings, error) {
	var s MonitorSettings
	if _, err := c.Store.GetDoc(ctx, docSettings, &s); err != nil {
		return s, err
	}
	if s.WatchLists == nil {
		s.WatchLists = monitor.DefaultWatchLists()
	}
	return s, nil
}

// SetMonitorSettings validates and saves the alert settings.
func (c *Core) SetMonitorSettings(ctx context.Context, s MonitorSettings) error {
	if s.WebhookURL = strings.TrimSpace(s.WebhookURL); s.WebhookURL != "" {
		if _, err := monitor.NewWebhook(s.WebhookURL); err != nil {
			return &officerError{msg: monitor.ErrWebhookURL.Error(), err: err}
		}
	}
	return c.Store.PutDoc(ctx, docSettings, s)
}

// afterIngest evaluates alerts on a freshly stored batch: watch words in the new messages,
// volume and negative spikes on the days they touched, and (at most hourly) an overdue surge.
// It runs under ingestMu at the end of each batch, so an alert is raised in the same pull cycle
// as its spike. Failures are logged: alerts must never fail an ingest.
func (c *Core) afterIngest(ctx context.Context, recs []*domain.Record) {
	if len(recs) == 0 {
		return
	}
	if err := c.evaluateAlerts(ctx, recs); err != nil {
		c.Log.Error("evaluate alerts", "err", err)
	}
}

func (c *Core) evaluateAlerts(ctx context.Context, recs []*domain.Record) error {
	now := c.Now()
	settings, err := c.monitorSettings(ctx)
	if err != nil {
		return err
	}
	// Watch words alert on recent messages only: importing last year's archive must not bury
	// today's alerts under hundreds of old ones.
	var recent []*domain.Record
	for _, r := range recs {
		if now.Sub(r.Time) <= watchRecent {
			recent = append(recent, r)
		}
	}
	fresh := monitor.WatchAlerts(settings.WatchLists, recent, now)

	var counts monitor.Counts
	ok, err := c.Store.GetDoc(ctx, docCounts, &counts)
	if err != nil {
		return err
	}
	var days []string
	if !ok {
		// First run over an existing store: seed the baseline from everything stored (this batch
		// included, as it is committed already).
		cutoff := now.AddDate(0, 0, -monitor.KeepDays)
		var all []*domain.Record
		if err := c.Store.Scan(ctx, 0, func(r *domain.Record) error {
			if r.Time.After(cutoff) {
				all = append(all, r)
			}
			return nil
		}); err != nil {
			return err
		}
		counts.Add(all)
		seen := map[string]bool{}
		for _, r := range recs {
			if d := monitor.Day(r.Time); !seen[d] {
				seen[d] = true
				days = append(days, d)
			}
		}
		sort.Strings(days)
	} else {
		days = counts.Add(recs)
	}
	if err := c.Store.PutDoc(ctx, docCounts, &counts); err != nil {
		return err
	}
	fresh = append(fresh, counts.Spikes(days, now, monitor.SpikeOptions{})...)

	var last time.Time
	if _, err := c.Store.GetDoc(ctx, docOverdueCheck, &last); err != nil {
		return err
	}
	if now.Sub(last) >= overdueCheckGap {
		if a, ok, err := c.overdueAlert(ctx, now); err != nil {
			return err
		} else if ok {
			fresh = append(fresh, a)
		}
		if err := c.Store.PutDoc(ctx, docOverdueCheck, now); err != nil {
			return err
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	var existing []monitor.Alert
	if _, err := c.Store.GetDoc(ctx, docAlerts, &existing); err != nil {
		return err
	}
	merged, notify := monitor.Merge(existing, fresh, maxStoredAlerts)
	if err := c.Store.PutDoc(ctx, docAlerts, merged); err != nil {
		return err
	}
	for _, a := range notify {
		c.Log.Info("alert", "id", a.ID, "level", a.Level, "title", a.Title)
		if c.Notify != nil {
			c.Notify("民意舆情告警："+a.Title, monitor.AlertText(a))
		}
	}
	if settings.WebhookURL != "" && len(notify) > 0 {
		c.pushWebhook(ctx, settings.WebhookURL, notify)
	}
	return nil
}

// overdueAlert scans open cases and groups the overdue ones by the day their deadline passed.
func (c *Core) overdueAlert(ctx context.Context, now time.Time) (monitor.Alert, bool, error) {
	byDay := map[string][]string{}
	err := c.Store.Scan(ctx, 0, func(r *domain.Record) error {
		if c.Calendar.Overdue(r, now) {
			d := monitor.Day(c.Calendar.DueOf(r))
			byDay[d] = append(byDay[d], r.ID)
		}
		return nil
	})
	if err != nil {
		return monitor.Alert{}, false, err
	}
	a, ok := monitor.OverdueAlert(byDay, now, monitor.BurstOptions{})
	return a, ok, nil
}

// pushWebhook posts the alerts in the background with retries; the ingest does not wait.
func (c *Core) pushWebhook(ctx context.Context, url string, alerts []monitor.Alert) {
	hook, err := monitor.NewWebhook(url)
	if err != nil {
		c.Log.Error("alert webhook", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), webhookDeadline)
	go func() {
		defer cancel()
		if err := hook.Send(ctx, alerts); err != nil {
			c.Log.Error("alert webhook", "err", err, "alerts", len(alerts))
		}
	}()
}

// AlertView is one alert in the alert centre.
type AlertView struct {
	monitor.Alert
	Time string `json:"time"` // RFC 3339, CST
}

// alertAck is an officer's acknowledgement, stored apart from the alert list so that an ack never
// races with an ingest rewriting the list.
type alertAck struct {
	Assignee string    `json:"assignee"`
	Time     time.Time `json:"time"`
	Level    string    `json:"level"` // the level acknowledged: a worse one needs a fresh look
}

// Alerts lists the alerts, unacknowledged first, then newest first.
func (c *Core) Alerts(ctx context.Context) ([]AlertView, error) {
	var list []monitor.Alert
	if _, err := c.Store.GetDoc(ctx, docAlerts, &list); err != nil {
		return nil, err
	}
	out := make([]AlertView, 0, len(list))
	for _, a := range list {
		var ack alertAck
		ok, err := c.Store.GetDoc(ctx, docAckPrefix+a.ID, &ack)
		if err != nil {
			return nil, err
		}
		if ok && ack.Level == a.Level {
			a.Acknowledged, a.Assignee, a.AckTime = true, ack.Assignee, ack.Time
		}
		out = append(out, AlertView{Alert: a, Time: a.Time.In(cst).Format(time.RFC3339)})
	}
	sort.SliceStable(out, func(i, j int) bool { return !out[i].Acknowledged && out[j].Acknowledged })
	return out, nil
}

// AckAlert marks an alert as seen and assigns it.
func (c *Core) AckAlert(ctx context.Context, id, assignee string) (AlertView, error) {
	all, err := c.Alerts(ctx)
	if err != nil {
		return AlertView{}, err
	}
	for _, v := range all {
		if v.ID != id {
			continue
		}
		ack := alertAck{Assignee: strings.TrimSpace(assignee), Time: c.Now(), Level: v.Level}
		if err := c.Store.PutDoc(ctx, docAckPrefix+id, ack); err != nil {
			return AlertView{}, err
		}
		v.Acknowledged, v.Assignee, v.AckTime = true, ack.Assignee, ack.Time
		return v, nil
	}
	return AlertView{}, fmt.Errorf("alert %q: %w", id, ErrAlertNotFound)
}

// TopicView is one line of the hot-topic list.
type TopicView struct {
	ID            string             `json:"id"`
	Title         string             `json:"title"`
	Keywords      []string           `json:"keywords"`
	Size          int                `json:"size"`
	Heat          float64            `json:"heat"`
	Rising        bool               `json:"rising"`
	Likes         int                `json:"likes"`
	Dislikes      int                `json:"dislikes"`
	NegativeShare float64            `json:"negative_share"`
	Places        []monitor.Count    `json:"places"`
	First         string             `json:"first"` // RFC 3339
	Last          string             `json:"last"`
	Volume        []monitor.DayCount `json:"volume"`
}

// TopicDetail is a topic page: the topic and its messages.
type TopicDetail struct {
	monitor.Topic
	Rows []Row `json:"rows"` // the member messages, newest first (at most 500)
}

// period reads an officer's since/until (inclusive days) as [from, to); an empty since means
// 30 days before until, an empty until means today.
func (c *Core) period(since, until string) (time.Time, time.Time, error) {
	from, err := parseDay(since)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	to, err := parseDay(until)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if to.IsZero() {
		to = monitor.StartOfDay(c.Now())
	}
	to = to.AddDate(0, 0, 1)
	if from.IsZero() {
		from = to.AddDate(0, 0, -30)
	}
	if !from.Before(to) {
		return time.Time{}, time.Time{}, &officerError{msg: "开始日期不能晚于结束日期", err: ErrBadDate}
	}
	return from, to, nil
}

// recordsIn loads the records whose message time is in [from, to).
func (c *Core) recordsIn(ctx context.Context, from, to time.Time) ([]*domain.Record, error) {
	var out []*domain.Record
	err := c.Store.Scan(ctx, 0, func(r *domain.Record) error {
		if !r.Time.Before(from) && r.Time.Before(to) {
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// topics clusters the period; ids carry the period so Topic can recompute the same clustering.
func (c *Core) topics(ctx context.Context, since, until string) ([]monitor.Topic, []*domain.Record, error) {
	from, to, err := c.period(since, until)
	if err != nil {
		return nil, nil, err
	}
	recs, err := c.recordsIn(ctx, from, to)
	if err != nil {
		return nil, nil, err
	}
	ts := monitor.Cluster(recs, monitor.TopicOptions{}, 2, to.Add(-time.Nanosecond))
	suffix := "@" + monitor.Day(from) + "~" + monitor.Day(to.Add(-time.Nanosecond))
	for i := range ts {
		ts[i].ID += suffix
	}
	return ts, recs, nil
}

// Topics lists the hot topics of messages dated since..until (inclusive), hottest first.
func (c *Core) Topics(ctx context.Context, since, until string) ([]TopicView, error) {
	ts, _, err := c.topics(ctx, since, until)
	if err != nil {
		return nil, err
	}
	out := make([]TopicView, 0, len(ts))
	for _, t := range ts {
		out = append(out, TopicView{
			ID: t.ID, Title: t.Title, Keywords: t.Keywords, Size: t.Size, Heat: t.Heat, Rising: t.Rising,
			Likes: t.Likes, Dislikes: t.Dislikes, NegativeShare: t.Sentiment.NegativeShare, Places: t.Places,
			First: t.First.In(cst).Format(time.RFC3339), Last: t.Last.In(cst).Format(time.RFC3339), Volume: t.Volume,
		})
	}
	return out, nil
}

// Topic opens one topic from a Topics list by its id.
func (c *Core) Topic(ctx context.Context, id string) (TopicDetail, error) {
	at := strings.LastIndexByte(id, '@')
	tilde := strings.LastIndexByte(id, '~')
	if at < 0 || tilde < at {
		return TopicDetail{}, fmt.Errorf("topic %q: %w", id, ErrTopicNotFound)
	}
	ts, recs, err := c.topics(ctx, id[at+1:tilde], id[tilde+1:])
	if err != nil {
		return TopicDetail{}, err
	}
	byID := make(map[string]*domain.Record, len(recs))
	for _, r := range recs {
		byID[r.ID] = r
	}
	for _, t := range ts {
		if t.ID != id {
			continue
		}
		d := TopicDetail{Topic: t}
		for i := len(t.Messages) - 1; i >= 0 && len(d.Rows) < maxTopicMessages; i-- {
			if r := byID[t.Messages[i]]; r != nil {
				d.Rows = append(d.Rows, rowFromRecord(r))
			}
		}
		return d, nil
	}
	return TopicDetail{}, fmt.Errorf("topic %q: %w", id, ErrTopicNotFound)
}

// ReportFile is a generated brief on disk.
type ReportFile struct {
	Name string `json:"name"`
	Path string `json:"path"`
}

// BuildBrief computes the brief for messages dated from..to (inclusive days).
func (c *Core) BuildBrief(ctx context.Context, from, to string) (monitor.Brief, error) {
	start, end, err := c.period(from, to)
	if err != nil {
		return monitor.Brief{}, err
	}
	prevStart := start.Add(-end.Sub(start))
	in := monitor.BriefInput{From: start, To: end}
	// Case facts are taken at the end of the period (or now, if that is earlier), so a past
	// period's brief is the same whenever it is generated.
	asOf := end
	if now := c.Now(); now.Before(asOf) {
		asOf = now
	}
	var all []domain.Record
	var context []*domain.Record // a month before the period too: a daily brief's topics began earlier
	ctxStart := end.AddDate(0, 0, -briefTopicDays)
	if prevStart.Before(ctxStart) {
		ctxStart = prevStart
	}
	received := counter{}
	err = c.Store.Scan(ctx, 0, func(r *domain.Record) error {
		if !r.Time.Before(ctxStart) && r.Time.Before(end) {
			context = append(context, r)
		}
		switch {
		case !r.Time.Before(start) && r.Time.Before(end):
			in.Current = append(in.Current, r)
			dept := r.Department
			if dept == "" {
				dept = r.SuggestedDepartment()
			}
			received.add(dept)
		case !r.Time.Before(prevStart) && r.Time.Before(start):
			in.Previous = append(in.Previous, r)
		}
		if r.Received.Before(end) {
			all = append(all, *r)
			if c.Calendar.Overdue(r, asOf) {
				dept := r.Department
				if dept == "" {
					dept = r.SuggestedDepartment()
				}
				due := c.Calendar.DueOf(r)
				in.Overdue = append(in.Overdue, monitor.OverdueCase{
					ID: r.ID, Title: r.Title, Department: dept, Status: r.Status,
					Due: due.In(cst).Format("2006-01-02 15:04"), DaysOver: int(asOf.Sub(due).Hours() / 24),
				})
			}
		}
		return nil
	})
	if err != nil {
		return monitor.Brief{}, err
	}
	sort.SliceStable(in.Overdue, func(i, j int) bool {
		if in.Overdue[i].DaysOver != in.Overdue[j].DaysOver {
			return in.Overdue[i].DaysOver > in.Overdue[j].DaysOver
		}
		return in.Overdue[i].ID < in.Overdue[j].ID
	})
	kpis := c.Calendar.KPIs(all, start, end, asOf)
	seen := map[string]bool{}
	for _, k := range kpis {
		if k.Department == casework.TotalRow {
			continue
		}
		seen[k.Department] = true
		in.Departments = append(in.Departments, monitor.DepartmentLoad{
			Department: k.Department, Received: received[k.Department], Dispatched: k.Dispatched, Replied: k.Replied,
			Overdue: k.Overdue, OnTimeRate: k.OnTimeRate, SatisfactionRate: k.SatisfactionRate,
		})
	}
	for _, rc := range received.top(1 << 20) {
		if !seen[rc.Name] {
			in.Departments = append(in.Departments, monitor.DepartmentLoad{Department: rc.Name, Received: rc.Count})
		}
	}
	sort.SliceStable(in.Departments, func(i, j int) bool {
		a, b := in.Departments[i], in.Departments[j]
		if a.Received+a.Dispatched != b.Received+b.Dispatched {
			return a.Received+a.Dispatched > b.Received+b.Dispatched
		}
		return a.Department < b.Department
	})
	if len(in.Departments) > 30 {
		in.Departments = in.Departments[:30]
	}
	// Topics with at least one message in the period, clustered over the longer context.
	in.Topics = []monitor.Topic{}
	for _, t := range monitor.Cluster(context, monitor.TopicOptions{}, 2, end.Add(-time.Nanosecond)) {
		if !t.Last.Before(start) {
			in.Topics = append(in.Topics, t)
		}
	}
	return monitor.BuildBrief(in), nil
}

// WriteReport renders the brief for from..to in format (xlsx, html or pdf) to w and returns the
// file name it suggests.
func (c *Core) WriteReport(ctx context.Context, from, to, format string, w io.Writer) (string, error) {
	format = strings.ToLower(strings.TrimSpace(format))
	if format != "xlsx" && format != "html" && format != "pdf" {
		return "", fmt.Errorf("format %q: %w", format, ErrReportFormat)
	}
	b, err := c.BuildBrief(ctx, from, to)
	if err != nil {
		return "", err
	}
	name := b.Title + "_" + b.From
	if b.To != b.From {
		name += "_" + b.To
	}
	name += "." + format
	var data []byte
	switch format {
	case "html":
		data = b.HTML()
	case "xlsx":
		if data, err = b.XLSX(); err != nil {
			return "", err
		}
	case "pdf":
		if data, err = monitor.PrintPDF(ctx, b.HTML(), ""); err != nil {
			if errors.Is(err, monitor.ErrNoChromium) {
				return "", &officerError{msg: monitor.ErrNoChromium.Error(), err: err}
			}
			return "", err
		}
	}
	if _, err := w.Write(data); err != nil {
		return "", fmt.Errorf("write report: %w", err)
	}
	return name, nil
}

// Report writes the brief into the data directory's reports folder and says where.
func (c *Core) Report(ctx context.Context, from, to, format string) (ReportFile, error) {
	dir := filepath.Join(c.DataDir, "reports")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ReportFile{}, fmt.Errorf("create reports dir %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".report-*")
	if err != nil {
		return ReportFile{}, fmt.Errorf("create report: %w", err)
	}
	defer os.Remove(tmp.Name())
	name, err := c.WriteReport(ctx, from, to, format, tmp)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close report: %w", cerr)
	}
	if err != nil {
		return ReportFile{}, err
	}
	path := filepath.Join(dir, name)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return ReportFile{}, fmt.Errorf("save report %s: %w", path, err)
	}
	return ReportFile{Name: name, Path: path}, nil
}
