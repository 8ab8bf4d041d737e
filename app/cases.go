package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"minyi/casework"
	"minyi/domain"
	"minyi/index"
	"minyi/store"
)

// Returner learns from a 退单 that a pairing of matter and department was wrong
// (route.Router satisfies it).
type Returner interface {
	Returned(dept string, a *domain.Analysis, reason string)
}

// DepartmentView is one department of the directory as the UI lists it.
type DepartmentView struct {
	Name     string `json:"name"`
	Code     string `json:"code"`
	Level    string `json:"level"`
	District string `json:"district"`
}

// ActRecategorise is the bulk action that corrects a message's matter category (to = the new
// category). It is not a lifecycle step: the status does not change, but it is recorded and audited.
const ActRecategorise = "改分类"

// Act applies one lifecycle action to a case atomically: the transition is validated, recorded in
// the record's history and appended to the audit chain inside the one store transaction that
// saves it. ActRecategorise is accepted too.
func (c *Core) Act(ctx context.Context, id, action, to, reason, actor string) (*domain.Record, error) {
	id, action, to, reason = strings.TrimSpace(id), strings.TrimSpace(action), strings.TrimSpace(to), strings.TrimSpace(reason)
	act := casework.Action{Kind: action, Actor: actor, Reason: reason}
	switch act.Kind {
	case casework.ActDispatch:
		act.Department = to
	case casework.ActVisit:
		act.Satisfaction = to
	}
	now := c.Now()
	entry := store.AuditEntry{Time: now, Actor: actor, Action: action, Reason: reason}
	var fn func(r *domain.Record) error
	if action == ActRecategorise {
		entry.Detail = "新分类：" + to
		fn = func(r *domain.Record) error { return recategorise(r, to, reason, actor, now) }
	} else {
		if act.Kind == casework.ActDispatch {
			entry.Detail = "承办部门：" + to
		}
		if act.Kind == casework.ActVisit {
			entry.Detail = "满意度：" + to
		}
		fn = func(r *domain.Record) error {
			_, err := c.Calendar.Transition(r, act, now)
			return err
		}
	}
	var beforeDept string
	rec, err := c.Store.UpdateAudited(ctx, id, entry, func(r *domain.Record) error {
		beforeDept = r.Department
		return fn(r)
	})
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, &officerError{msg: "未找到记录 " + id, err: err}
		}
		return nil, &officerError{msg: officerText(err), err: err}
	}
	if act.Kind == casework.ActReturn && beforeDept != "" {
		if rt, ok := c.Router.(Returner); ok {
			rt.Returned(beforeDept, &rec.Analysis, act.Reason)
		}
	}
	c.reindex(ctx, rec)
	return rec, nil
}

// ErrCategoryRequired means 改分类 was asked without naming the new category.
var ErrCategoryRequired = errors.New("请选择新的分类")

// recategorise sets the officer's category and records who changed it from what.
func recategorise(r *domain.Record, to, reason, actor string, now time.Time) error {
	if to == "" {
		return ErrCategoryRequired
	}
	why := fmt.Sprintf("分类由“%s”改为“%s”", r.Analysis.Category, to)
	if reason != "" {
		why += "；" + reason
	}
	r.Analysis.Category, r.Analysis.CategoryProb = to, 1
	r.Events = append(r.Events, domain.Event{Time: now, Actor: actor, Action: ActRecategorise, From: r.Status, To: r.Status, Reason: why})
	return nil
}

// reindex puts changed records back in the search index; the store already has them, so a
// failure is logged for the officer's administrator rather than failing the action.
func (c *Core) reindex(ctx context.Context, recs ...*domain.Record) {
	if c.Index == nil || len(recs) == 0 {
		return
	}
	if err := c.Index.Put(ctx, recs); err != nil {
		c.Log.Error("reindex after action; run `minyi reindex`", "records", len(recs), "err", err)
	}
}

// officerText is the Chinese sentence of a casework error (they are written for officers).
func officerText(err error) string {
	s := err.Error()
	if containsHan(s) {
		return firstClause(s)
	}
	return "操作失败"
}

// BulkItem is what became of one record of a bulk action.
type BulkItem struct {
	ID     string `json:"id"`
	OK     bool   `json:"ok"`
	Status string `json:"status,omitempty"` // the status after the action
	Error  string `json:"error,omitempty"`  // why it was refused, for the officer
}

// BulkResult is the outcome of a bulk action: one item per id, in the order given.
type BulkResult struct {
	Action string     `json:"action"`
	Done   int        `json:"done"`
	Failed int        `json:"failed"`
	Items  []BulkItem `json:"items"`
}

// maxBulk bounds one bulk call; the UI sends larger selections in chunks to show progress.
const maxBulk = 2000

// ErrTooMany means a bulk action named more records than one call takes.
var ErrTooMany = fmt.Errorf("一次最多处理 %d 条，请分批操作", maxBulk)

// BulkAct applies one action to many records, each in its own transaction, so that a record
// whose status forbids the action is reported and the others still go ahead. progress (may be
// nil) is told after each record how many are done. Action 合并 merges the records into one case.
func (c *Core) BulkAct(ctx context.Context, ids []string, action, to, reason, actor string, progress func(done, total int)) (BulkResult, error) {
	res := BulkResult{Action: action, Items: make([]BulkItem, 0, len(ids))}
	if len(ids) > maxBulk {
		return res, ErrTooMany
	}
	if strings.TrimSpace(action) == ActMerge {
		recs, err := c.Merge(ctx, ids, reason, actor)
		if err != nil {
			return res, err
		}
		for _, r := range recs {
			res.Items = append(res.Items, BulkItem{ID: r.ID, OK: true, Status: r.Status})
		}
		res.Done = len(recs)
		if progress != nil {
			progress(len(recs), len(ids))
		}
		return res, nil
	}
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		r, err := c.Act(ctx, id, action, to, reason, actor)
		it := BulkItem{ID: strings.TrimSpace(id)}
		if err != nil {
			it.Error = officerText(err)
			res.Failed++
		} else {
			it.OK, it.Status = true, r.Status
			res.Done++
		}
		res.Items = append(res.Items, it)
		if progress != nil {
			progress(i+1, len(ids))
		}
	}
	return res, nil
}

// Departments lists the directory for the dispatch picker.
func (c *Core) Departments() []DepartmentView {
	if c.Directory == nil {
		return []DepartmentView{}
	}
	out := make([]DepartmentView, 0, len(c.Directory.Departments))
	for _, d := range c.Directory.Departments {
		out = append(out, DepartmentView{Name: d.Name, Code: d.Code, Level: d.Level, District: d.District})
	}
	return out
}

// Deadline views: what the inbox shows as 逾期 and 即将到期.
const (
	DeadlineOverdue = "逾期"
	DeadlineDueSoon = "即将到期"
)

// dueSoonDays is how many working days ahead 即将到期 looks by default (0 = due today).
const dueSoonDays = 2

// DeadlineQuery selects open cases by their deadline: Kind is DeadlineOverdue or DeadlineDueSoon.
type DeadlineQuery struct {
	Kind       string `json:"kind"`
	Department string `json:"department"` // "" = any
	Within     int    `json:"within"`     // 即将到期: working days ahead; 0 means the default (2)
	Offset     int    `json:"offset"`
	Limit      int    `json:"limit"` // default 50, at most 500
}

// ErrBadDeadlineKind means a deadline view other than 逾期 or 即将到期 was asked for.
var ErrBadDeadlineKind = errors.New("期限视图只能是“逾期”或“即将到期”")

// Deadlines lists open cases that are overdue or due soon, the most pressing (earliest deadline)
// first. It asks the index for open cases only, so its cost follows the open caseload, not the
// archive.
func (c *Core) Deadlines(ctx context.Context, q DeadlineQuery) (Page, error) {
	now := c.Now()
	within := q.Within
	if within <= 0 {
		within = dueSoonDays
	}
	var keep func(r *domain.Record) bool
	switch q.Kind {
	case DeadlineOverdue:
		keep = func(r *domain.Record) bool { return c.Calendar.Overdue(r, now) }
	case DeadlineDueSoon:
		keep = func(r *domain.Record) bool { return c.Calendar.DueSoon(r, now, within) }
	default:
		return Page{}, fmt.Errorf("%q: %w", q.Kind, ErrBadDeadlineKind)
	}
	var recs []*domain.Record
	err := c.openCases(ctx, q.Department, func(r *domain.Record) error {
		if keep(r) {
			recs = append(recs, r)
		}
		return nil
	})
	if err != nil {
		return Page{}, err
	}
	sort.SliceStable(recs, func(i, j int) bool { return c.Calendar.DueOf(recs[i]).Before(c.Calendar.DueOf(recs[j])) })
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	p := Page{Total: len(recs), Items: []Row{}}
	for _, r := range recs[min(max(q.Offset, 0), len(recs)):] {
		if len(p.Items) == limit {
			break
		}
		row := rowFromRecord(r)
		row.Due = c.Calendar.DueOf(r).In(cst).Format(time.RFC3339)
		p.Items = append(p.Items, row)
	}
	return p, nil
}

// openCases calls fn with every stored record whose indexed status is open (optionally held by
// department), reading each from the store so status and deadline are current.
func (c *Core) openCases(ctx context.Context, department string, fn func(*domain.Record) error) error {
	const page = 1000
	for _, st := range casework.OpenStatuses() {
		for off := 0; ; off += page {
			res, err := c.Index.Search(ctx, index.Query{Status: st, Department: department, Sort: index.SortTimeAsc, Limit: page, Offset: off})
			if err != nil {
				return fmt.Errorf("list %s cases: %w", st, err)
			}
			for _, h := range res.Hits {
				r, err := c.Store.Get(ctx, h.ID)
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				if !casework.IsOpen(r.Status) {
					continue
				}
				if err := fn(r); err != nil {
					return err
				}
			}
			if len(res.Hits) < page {
				break
			}
		}
	}
	return nil
}

// RunReminders records the automatic 催办 on every open case whose deadline has passed and that
// has not been reminded since (each missed deadline once, on the first run on or after the day
// after it). The app's scheduler calls it; each 催办 is audited like an officer's action. It
// returns how many cases it reminded.
func (c *Core) RunReminders(ctx context.Context) (int, error) {
	now := c.Now()
	var due []domain.Record
	if err := c.openCases(ctx, "", func(r *domain.Record) error {
		due = append(due, *r)
		return nil
	}); err != nil {
		return 0, err
	}
	n := 0
	for _, rem := range c.Calendar.Reminders(due, now) {
		entry := store.AuditEntry{Time: now, Actor: casework.SystemActor, Action: casework.ActRemind,
			Detail: fmt.Sprintf("逾期 %d 天", rem.DaysOver)}
		rec, err := c.Store.UpdateAudited(ctx, rem.ID, entry, func(r *domain.Record) error {
			// Re-checked inside the transaction: an officer may have acted since the scan.
			if !c.Calendar.Overdue(r, now) {
				return errNotDue
			}
			_, err := c.Calendar.Remind(r, now)
			return err
		})
		if errors.Is(err, errNotDue) {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("催办 %s: %w", rem.ID, err)
		}
		c.reindex(ctx, rec)
		n++
	}
	if n > 0 {
		c.Log.Info("automatic reminders", "cases", n)
	}
	return n, nil
}

// errNotDue aborts a reminder whose case was handled between the scan and the update.
var errNotDue = errors.New("case no longer overdue")
