package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"minyi/casework"
	"minyi/domain"
)

// KPIReport is the 绩效 screen: one row per department for the period, then the 合计 row.
type KPIReport struct {
	From string         `json:"from"` // YYYY-MM-DD, inclusive
	To   string         `json:"to"`   // YYYY-MM-DD, inclusive
	Rows []casework.KPI `json:"rows"`
}

// ErrBadPeriod means the period ends before it starts.
var ErrBadPeriod = errors.New("结束日期不能早于开始日期")

// KPIs computes each department's 按时办结率, 退单率, 平均办理时长, 满意率 and overdue count over the
// days from..to (YYYY-MM-DD, inclusive; empty from = the first of this month, empty to = today),
// from the events recorded on the cases. It reads every record that has a history once.
func (c *Core) KPIs(ctx context.Context, from, to string) (KPIReport, error) {
	now := c.Now().In(cst)
	start, err := parseDay(from)
	if err != nil {
		return KPIReport{}, err
	}
	end, err := parseDay(to)
	if err != nil {
		return KPIReport{}, err
	}
	if start.IsZero() {
		start = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, cst)
	}
	if end.IsZero() {
		end = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, cst)
	}
	if end.Before(start) {
		return KPIReport{}, fmt.Errorf("%s..%s: %w", from, to, ErrBadPeriod)
	}
	var recs []domain.Record
	err = c.Store.Scan(ctx, 0, func(r *domain.Record) error {
		if len(r.Events) > 0 || r.Department != "" {
			recs = append(recs, *r)
		}
		return nil
	})
	if err != nil {
		return KPIReport{}, fmt.Errorf("read cases for KPIs: %w", err)
	}
	rows := c.Calendar.KPIs(recs, start, end.AddDate(0, 0, 1), c.Now())
	return KPIReport{From: start.Format("2006-01-02"), To: end.Format("2006-01-02"), Rows: rows}, nil
}
