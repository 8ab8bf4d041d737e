package casework

import (
	"math"
	"testing"
	"time"

	"minyi/domain"
)

// history builds a record from events given as (day offset, action, reason) on top of a base time.
func history(id string, base time.Time, due time.Time, status, dept string, evs ...domain.Event) domain.Record {
	for i := range evs {
		evs[i].Time = base.Add(time.Duration(evs[i].Time.Unix()) * time.Hour)
	}
	return domain.Record{ID: id, Status: status, Department: dept, Due: due, Received: base, Events: evs,
		Item: domain.Item{Channel: domain.ChannelHotline, Title: "测试"}}
}

// at is an event at h hours after the record's base time (see history).
func at(h int, action, reason string) domain.Event {
	return domain.Event{Time: time.Unix(int64(h), 0), Action: action, Reason: reason}
}

func TestKPIs(t *testing.T) {
	base := time.Date(2025, 6, 3, 9, 0, 0, 0, china)
	due := base.Add(10 * 24 * time.Hour)
	const cg, hj = "市城管局", "市生态环境局"
	recs := []domain.Record{
		// 城管: dispatched, replied on time after 24 h, visited 满意.
		history("1", base, due, domain.StatusClosed, cg,
			at(1, ActDispatch, dispatchPrefix+cg), at(25, ActReply, ""), at(30, ActVisit, Satisfied), at(31, ActClose, "")),
		// 城管 returns it, 环保 replies late (300 h > 240 h) and the citizen is 不满意.
		history("2", base, due, domain.StatusVisited, hj,
			at(1, ActDispatch, dispatchPrefix+cg), at(5, ActReturn, cg+returnInfix+"非本单位职责"),
			at(6, ActDispatch, dispatchPrefix+hj), at(306, ActReply, ""), at(310, ActVisit, NotSatisfied+"：未解决")),
		// 城管 holds an open case, overdue at now.
		history("3", base, due, domain.StatusHandling, cg, at(2, ActDispatch, dispatchPrefix+cg), at(3, ActSign, "")),
		// Outside the period: ignored except for the overdue snapshot (it is closed, so not counted).
		history("4", base.AddDate(0, -2, 0), due.AddDate(0, -2, 0), domain.StatusClosed, cg,
			at(1, ActDispatch, dispatchPrefix+cg), at(2, ActReply, "")),
	}
	from, to := base, base.AddDate(0, 1, 0)
	now := base.Add(20 * 24 * time.Hour)
	rows := NewCalendar().KPIs(recs, from, to, now)
	byDept := map[string]KPI{}
	for _, k := range rows {
		byDept[k.Department] = k
	}
	if rows[len(rows)-1].Department != TotalRow {
		t.Fatalf("last row %q, want %s", rows[len(rows)-1].Department, TotalRow)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	cases := []struct {
		dept                                                   string
		dispatched, returned, replied, onTime, visits, sat, od int
		onTimeRate, returnRate, satRate, avgHours              float64
	}{
		{cg, 3, 1, 1, 1, 1, 1, 1, 1, 1.0 / 3, 1, 24},
		{hj, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 300},
		{TotalRow, 4, 1, 2, 1, 2, 1, 1, 0.5, 0.25, 0.5, 162},
	}
	for _, tc := range cases {
		t.Run(tc.dept, func(t *testing.T) {
			k, ok := byDept[tc.dept]
			if !ok {
				t.Fatalf("no row for %s in %+v", tc.dept, rows)
			}
			if k.Dispatched != tc.dispatched || k.Returned != tc.returned || k.Replied != tc.replied || k.OnTime != tc.onTime ||
				k.Visits != tc.visits || k.Satisfied != tc.sat || k.Overdue != tc.od {
				t.Errorf("counts %+v", k)
			}
			if !near(k.OnTimeRate, tc.onTimeRate) || !near(k.ReturnRate, tc.returnRate) || !near(k.SatisfactionRate, tc.satRate) || !near(k.AvgHandleHours, tc.avgHours) {
				t.Errorf("rates %+v", k)
			}
		})
	}
	if empty := KPIs(nil, from, to, now); len(empty) != 1 || empty[0].OnTimeRate != 0 {
		t.Errorf("KPIs of nothing = %+v", empty)
	}
}
