package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"minyi/domain"
	"minyi/feed"
	"minyi/store"
)

// App is the set of methods the UI calls. Wails binds every exported method of App in the desktop
// window, and `minyi serve` exposes the same methods as POST /api/<Method>. Each returns (T, error)
// where the error's text is a sentence an officer understands; details go to the log.
type App struct {
	core   *Core
	ctx    func() context.Context
	search *searchState // background exports and the suggestion list (export.go, suggest.go)
}

// NewApp returns the UI's view of core; ctx gives the context the UI's calls run under
// (the window's lifetime in the desktop app, the server's in serve).
func NewApp(core *Core, ctx func() context.Context) *App {
	return &App{core: core, ctx: ctx, search: newSearchState()}
}

// officerError is an error whose message is already fit for the officer.
type officerError struct {
	msg string
	err error
}

func (e *officerError) Error() string { return e.msg }
func (e *officerError) Unwrap() error { return e.err }

// fail logs err with the operation and returns a message the officer can act on.
func (a *App) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	a.core.Log.Error(op, "err", err)
	var oe *officerError
	if errors.As(err, &oe) {
		return oe
	}
	msg := "操作失败：" + op
	switch {
	case errors.Is(err, store.ErrNotFound):
		msg = "未找到该记录"
	case errors.Is(err, ErrBadDate):
		msg = "日期格式不对，请按 2024-01-31 的格式填写"
	case errors.Is(err, context.Canceled):
		msg = "操作已取消"
	default:
		if s := err.Error(); containsHan(s) {
			// Our own errors are written in Chinese; show the first clause.
			msg = fmt.Sprintf("%s：%s", op, firstClause(s))
		}
	}
	return &officerError{msg: msg, err: err}
}

func containsHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// firstClause drops the technical wrapping prefixes ("open store x: ") before the Chinese text.
func firstClause(s string) string {
	parts := strings.Split(s, ": ")
	for _, p := range parts {
		if containsHan(p) {
			return p
		}
	}
	return s
}

// Inbox lists the worklist.
func (a *App) Inbox(q InboxQuery) (Page, error) {
	p, err := a.core.Inbox(a.ctx(), q)
	if err == nil {
		a.core.Log.Info("inbox", "total", p.Total)
	}
	return p, a.fail("读取收件箱", err)
}

// Search runs a search.
func (a *App) Search(q SearchQuery) (SearchResult, error) {
	r, err := a.core.Search(a.ctx(), q)
	if err == nil {
		a.core.Log.Info("search", "query", q.Query, "total", r.Total, "took_ms", r.TookMS)
	}
	return r, a.fail("检索", err)
}

// Get opens one message.
func (a *App) Get(id string) (RecordView, error) {
	v, err := a.core.Get(a.ctx(), id)
	return v, a.fail("打开记录 "+id, err)
}

// Dashboard summarises public opinion over the last days.
func (a *App) Dashboard(days int) (Dashboard, error) {
	d, err := a.core.Dashboard(a.ctx(), days)
	return d, a.fail("统计舆情", err)
}

// Status reports counts and banners.
func (a *App) Status() (Status, error) {
	s, err := a.core.StatusInfo(a.ctx())
	return s, a.fail("读取状态", err)
}

// LoadDemo loads the built-in demo data.
func (a *App) LoadDemo() (ImportResult, error) {
	r, err := a.core.LoadDemo(a.ctx())
	return r, a.fail("载入演示数据", err)
}

// actor is who the console records as acting; one officer per desktop session.
const actor = "值班员"

// Act applies a lifecycle action (受理, 派单 with to = department, 签收, 办理, 答复, 回访 with
// to = 满意/基本满意/不满意, 办结, 退单, 延期申请, 延期批准, 督办, 重办, 不予受理) to a case.
func (a *App) Act(id, action, to, reason string) (*domain.Record, error) {
	r, err := a.core.Act(a.ctx(), id, action, to, reason, actor)
	if err == nil {
		a.core.Log.Info("act", "id", id, "action", action, "to", to)
	}
	return r, a.fail(action, err)
}

// Departments lists the department directory.
func (a *App) Departments() ([]DepartmentView, error) {
	return a.core.Departments(), nil
}

// Sources lists the 数据源 with how their last pulls went.
func (a *App) Sources() ([]SourceView, error) {
	v, err := a.core.SourceList(a.ctx())
	return v, a.fail("读取数据源", err)
}

// SaveSource adds or edits a source; the scheduler picks the change up within seconds.
func (a *App) SaveSource(s SourceConfig) (SourceView, error) {
	v, err := a.core.SaveSource(a.ctx(), s)
	return v, a.fail("保存数据源", err)
}

// DeleteSource removes a source (its stored messages stay).
func (a *App) DeleteSource(name string) (any, error) {
	return nil, a.fail("删除数据源", a.core.DeleteSource(a.ctx(), name))
}

// PullNow pulls one source now (立即拉取). A failing source is reported in PullResult.Error.
func (a *App) PullNow(name string) (PullResult, error) {
	r, err := a.core.PullSource(a.ctx(), feed.NewFetcher(feed.FetcherOptions{}), name, nil)
	return r, a.fail("拉取数据源", err)
}

// Topics lists the hot topics of messages dated since..until (YYYY-MM-DD, inclusive; empty since
// = 30 days before until, empty until = today), hottest first.
func (a *App) Topics(since, until string) ([]TopicView, error) {
	t, err := a.core.Topics(a.ctx(), since, until)
	return t, a.fail("计算热点话题", err)
}

// Topic opens one topic of the latest Topics list.
func (a *App) Topic(id string) (TopicDetail, error) {
	t, err := a.core.Topic(a.ctx(), id)
	return t, a.fail("打开话题", err)
}

// Alerts lists the alert centre, unacknowledged first; the window polls it for notifications.
func (a *App) Alerts() ([]AlertView, error) {
	v, err := a.core.Alerts(a.ctx())
	return v, a.fail("读取告警", err)
}

// AckAlert acknowledges an alert and assigns it to someone.
func (a *App) AckAlert(id, assignee string) (AlertView, error) {
	v, err := a.core.AckAlert(a.ctx(), id, assignee)
	return v, a.fail("确认告警", err)
}

// Report writes the 舆情日报/周报 for from..to (YYYY-MM-DD, inclusive) as xlsx, html or pdf into the
// data directory's reports folder.
func (a *App) Report(from, to, format string) (ReportFile, error) {
	f, err := a.core.Report(a.ctx(), from, to, format)
	return f, a.fail("生成舆情报告", err)
}

// MonitorSettings returns the alert settings (webhook and watch-word lists).
func (a *App) MonitorSettings() (MonitorSettings, error) {
	s, err := a.core.monitorSettings(a.ctx())
	return s, a.fail("读取告警设置", err)
}

// SetMonitorSettings saves the alert settings.
func (a *App) SetMonitorSettings(s MonitorSettings) (MonitorSettings, error) {
	if err := a.core.SetMonitorSettings(a.ctx(), s); err != nil {
		return s, a.fail("保存告警设置", err)
	}
	return a.MonitorSettings()
}

// BulkAct applies one action to many selected records (派单 with to = department, 退单, 办结,
// 合并, 改分类 with to = category …). Each record is its own transaction, so one refusal does not
// stop the rest; the result says what became of each. For a progress bar, send the selection in
// chunks (e.g. 20 ids per call) and advance after each call.
func (a *App) BulkAct(ids []string, action, to, reason string) (BulkResult, error) {
	r, err := a.core.BulkAct(a.ctx(), ids, action, to, reason, actor, nil)
	if err == nil {
		a.core.Log.Info("bulk act", "action", action, "done", r.Done, "failed", r.Failed)
	}
	return r, a.fail("批量"+action, err)
}

// Case opens the case a message belongs to: all its messages, the merged timeline, the deadline,
// the suggestions and the actions allowed now.
func (a *App) Case(id string) (CaseView, error) {
	v, err := a.core.Case(a.ctx(), id)
	return v, a.fail("打开案件 "+id, err)
}

// Merge joins the cases of the selected messages into the case of the earliest one.
func (a *App) Merge(ids []string) (CaseView, error) {
	recs, err := a.core.Merge(a.ctx(), ids, "", actor)
	if err != nil {
		return CaseView{}, a.fail("合并", err)
	}
	return a.Case(recs[0].CaseID)
}

// Split takes a message out of its case into a case of its own.
func (a *App) Split(id string) (CaseView, error) {
	if _, err := a.core.Split(a.ctx(), id, "", actor); err != nil {
		return CaseView{}, a.fail("拆分", err)
	}
	return a.Case(id)
}

// Deadlines lists open cases that are 逾期 (overdue) or 即将到期 (due within q.Within working
// days, default 2), earliest deadline first — the inbox's deadline tabs.
func (a *App) Deadlines(q DeadlineQuery) (Page, error) {
	p, err := a.core.Deadlines(a.ctx(), q)
	return p, a.fail("读取"+q.Kind+"案件", err)
}

// KPIs lists each department's performance over from..to (YYYY-MM-DD, inclusive; empty = this
// month so far).
func (a *App) KPIs(from, to string) (KPIReport, error) {
	r, err := a.core.KPIs(a.ctx(), from, to)
	return r, a.fail("统计绩效", err)
}

// VerifyAudit checks the audit chain and says whether any entry was altered or deleted.
func (a *App) VerifyAudit() (store.AuditReport, error) {
	r, err := a.core.Store.VerifyAudit(a.ctx())
	return r, a.fail("校验审计记录", err)
}

// StartExport exports the full result set of q (every page, newest first) as xlsx or csv into
// the data directory's exports folder, in the background; poll ExportStatus for the progress
// bar. Personal data is masked unless unmasked, which is recorded in the audit trail.
func (a *App) StartExport(q SearchQuery, format string, unmasked bool) (ExportJob, error) {
	j, err := a.search.exports.start(a.ctx(), a.core, q, format, unmasked, actor)
	if err == nil {
		a.core.Log.Info("export started", "id", j.ID, "format", j.Format, "unmasked", unmasked)
	}
	return j, a.fail("导出", err)
}

// ExportStatus reports an export's progress (done of total rows) and, when 已完成, its file.
func (a *App) ExportStatus(id string) (ExportJob, error) {
	j, err := a.search.exports.status(id)
	return j, a.fail("查询导出进度", err)
}

// CancelExport stops an export; its partial file is removed.
func (a *App) CancelExport(id string) (ExportJob, error) {
	j, err := a.search.exports.cancelJob(id)
	return j, a.fail("取消导出", err)
}

// SavedSearches lists the officer's saved searches with their new-result counts.
func (a *App) SavedSearches() ([]SavedSearchView, error) {
	v, err := a.core.SavedSearches(a.ctx(), actor)
	return v, a.fail("读取已保存的检索", err)
}

// SaveSearch saves q under name for the officer (a search of the same name is replaced).
func (a *App) SaveSearch(name string, q SearchQuery) (SavedSearchView, error) {
	v, err := a.core.SaveSearch(a.ctx(), actor, name, q)
	return v, a.fail("保存检索", err)
}

// DeleteSavedSearch removes one of the officer's saved searches.
func (a *App) DeleteSavedSearch(name string) (any, error) {
	return nil, a.fail("删除已保存的检索", a.core.DeleteSavedSearch(a.ctx(), actor, name))
}

// OpenSavedSearch runs a saved search and marks its results as seen (its new count drops to 0).
func (a *App) OpenSavedSearch(name string) (SearchResult, error) {
	r, err := a.core.OpenSavedSearch(a.ctx(), actor, name)
	return r, a.fail("打开已保存的检索", err)
}

// Suggest completes the last word typed in the query box from place names, departments,
// categories, matter types and frequent keywords.
func (a *App) Suggest(prefix string) ([]string, error) {
	s, err := a.search.suggestFor(a.ctx(), a.core, prefix)
	return s, a.fail("检索提示", err)
}
