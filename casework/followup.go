package casework

import (
	"sort"
	"time"

	"minyi/domain"
)

// SystemActor is the Event.Actor of steps Minyi takes by itself, such as automatic 催办.
const SystemActor = "系统"

// DueOf is the deadline that applies to r now: r.Due when set (it includes approved extensions),
// else the policy's — the 受理 deadline while the case is 待受理, the 办结 deadline after.
func (c *Calendar) DueOf(r *domain.Record) time.Time {
	if !r.Due.IsZero() {
		return r.Due
	}
	if r.Status == "" || r.Status == domain.StatusNew {
		return c.Due(r, DueAccept)
	}
	return c.Due(r, DueFinish)
}

// Overdue reports whether r is open, its clock is running (no 延期申请 pending) and its deadline
// has passed at now.
func (c *Calendar) Overdue(r *domain.Record, now time.Time) bool {
	if !IsOpen(r.Status) {
		return false
	}
	if pending, _ := PendingExtension(r); pending {
		return false
	}
	return now.After(c.DueOf(r))
}

// DueSoon reports whether r is open, not overdue, and due within the next `within` working days
// (0 = due today).
func (c *Calendar) DueSoon(r *domain.Record, now time.Time, within int) bool {
	if !IsOpen(r.Status) || c.Overdue(r, now) {
		return false
	}
	if pending, _ := PendingExtension(r); pending {
		return false
	}
	return c.WorkingDaysBetween(now, c.DueOf(r)) <= within
}

// Reminder is one case that needs a 催办.
type Reminder struct {
	ID         string    `json:"id"`
	Department string    `json:"department"`
	Status     string    `json:"status"`
	Due        time.Time `json:"due"`
	DaysOver   int       `json:"days_over"` // natural days since the deadline day
}

// Reminders lists the records needing an automatic 催办 at now: overdue, and not reminded since
// their deadline passed — so each missed deadline is reminded once, on the first run on or after
// the day after it, and again after an extension is missed. Most overdue first.
func (c *Calendar) Reminders(recs []domain.Record, now time.Time) []Reminder {
	var out []Reminder
	for i := range recs {
		r := &recs[i]
		if !c.Overdue(r, now) {
			continue
		}
		due := c.DueOf(r)
		if t, ok := lastEvent(r, ActRemind); ok && t.After(due) {
			continue
		}
		out = append(out, Reminder{
			ID: r.ID, Department: r.Department, Status: r.Status, Due: due,
			DaysOver: int(c.startOfDay(now).Sub(c.startOfDay(due)).Hours()+12) / 24,
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out
}

// Remind records the automatic 催办 for one record Reminders listed.
func (c *Calendar) Remind(r *domain.Record, now time.Time) (domain.Event, error) {
	due := c.DueOf(r)
	return c.Transition(r, Action{Kind: ActRemind, Actor: SystemActor,
		Reason: "已超过办理期限（" + due.In(c.loc).Format("2006-01-02") + "），系统自动催办"}, now)
}
