package casework

import (
	"sort"
	"time"

	"minyi/domain"
)

// TotalRow is the Department of the KPI row that sums all departments.
const TotalRow = "合计"

// KPI is one department's performance over a period. Rates are 0 when their denominator is 0; the
// counts are there so the UI can show “—” instead.
type KPI struct {
	Department string `json:"department"`
	Dispatched int    `json:"dispatched"` // 派单 to the department in the period
	Returned   int    `json:"returned"`   // 退单 by the department in the period
	Replied    int    `json:"replied"`    // 答复 by the department in the period
	OnTime     int    `json:"on_time"`    // of Replied, answered by the deadline
	Visits     int    `json:"visits"`     // 回访 in the period of cases it answered
	Satisfied  int    `json:"satisfied"`  // of Visits, 满意 or 基本满意
	Overdue    int    `json:"overdue"`    // open cases it holds that are overdue at now

	OnTimeRate       float64 `json:"on_time_rate"`      // 按时办结率 = OnTime / Replied
	ReturnRate       float64 `json:"return_rate"`       // 退单率 = Returned / Dispatched
	SatisfactionRate float64 `json:"satisfaction_rate"` // 满意率 = Satisfied / Visits
	AvgHandleHours   float64 `json:"avg_handle_hours"`  // 平均办理时长, from 派单 to 答复
	handleHours      float64 // sum behind AvgHandleHours
	handled          int     // replies with a known 派单 time
}

// KPIs computes per-department KPIs for events in [from, to) and the overdue snapshot at now, on
// the built-in calendar; see Calendar.KPIs.
func KPIs(recs []domain.Record, from, to, now time.Time) []KPI {
	return defaultCalendar().KPIs(recs, from, to, now)
}

// KPIs computes per-department KPIs from the records' events that fall in [from, to): 派单 and
// 退单 count for the department they name, 答复 and 回访 for the department holding the case then.
// A reply is on time when it is no later than the case's deadline (DueOf, which includes approved
// extensions). Overdue counts open cases held at now. Rows are sorted by Dispatched, largest
// first, and a 合计 row is appended.
func (c *Calendar) KPIs(recs []domain.Record, from, to, now time.Time) []KPI {
	rows := map[string]*KPI{}
	row := func(d string) *KPI {
		if d == "" {
			d = "（未派单）"
		}
		k := rows[d]
		if k == nil {
			k = &KPI{Department: d}
			rows[d] = k
		}
		return k
	}
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	for i := range recs {
		r := &recs[i]
		due := c.DueOf(r)
		var holder, repliedBy string
		var dispatched time.Time
		for _, ev := range r.Events {
			switch ev.Action {
			case ActDispatch:
				holder, dispatched = EventDepartment(ev), ev.Time
				if in(ev.Time) {
					row(holder).Dispatched++
				}
			case ActReturn:
				d := EventDepartment(ev)
				if d == "" {
					d = holder
				}
				if in(ev.Time) {
					row(d).Returned++
				}
				holder = ""
			case ActReply:
				repliedBy = holder
				if repliedBy == "" {
					repliedBy = r.Department
				}
				if in(ev.Time) {
					k := row(repliedBy)
					k.Replied++
					if !ev.Time.After(due) {
						k.OnTime++
					}
					if !dispatched.IsZero() {
						k.handleHours += ev.Time.Sub(dispatched).Hours()
						k.handled++
					}
				}
			case ActVisit:
				if in(ev.Time) {
					k := row(repliedBy)
					k.Visits++
					if s := SatisfactionOf(ev); s == Satisfied || s == FairlySatisfied {
						k.Satisfied++
					}
				}
			}
		}
		if r.Department != "" && c.Overdue(r, now) {
			row(r.Department).Overdue++
		}
	}
	out := make([]KPI, 0, len(rows)+1)
	total := KPI{Department: TotalRow}
	for _, k := range rows {
		total.Dispatched += k.Dispatched
		total.Returned += k.Returned
		total.Replied += k.Replied
		total.OnTime += k.OnTime
		total.Visits += k.Visits
		total.Satisfied += k.Satisfied
		total.Overdue += k.Overdue
		total.handleHours += k.handleHours
		total.handled += k.handled
		out = append(out, k.rates())
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Dispatched != out[j].Dispatched {
			return out[i].Dispatched > out[j].Dispatched
		}
		return out[i].Department < out[j].Department
	})
	return append(out, total.rates())
}

// rates fills the ratios from the counts.
func (k KPI) rates() KPI {
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	k.OnTimeRate = ratio(k.OnTime, k.Replied)
	k.ReturnRate = ratio(k.Returned, k.Dispatched)
	k.SatisfactionRate = ratio(k.Satisfied, k.Visits)
	if k.handled > 0 {
		k.AvgHandleHours = k.handleHours / float64(k.handled)
	}
	return k
}
