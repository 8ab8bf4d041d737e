package app

import (
	"context"
	"strings"

	"minyi/casework"
	"minyi/domain"
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

// Act applies one lifecycle action to a case atomically: the transition is validated and
// recorded inside the same store transaction that saves it.
func (c *Core) Act(ctx context.Context, id, action, to, reason, actor string) (*domain.Record, error) {
	act := casework.Action{Kind: strings.TrimSpace(action), Actor: actor, Reason: strings.TrimSpace(reason)}
	switch act.Kind {
	case casework.ActDispatch:
		act.Department = strings.TrimSpace(to)
	case casework.ActVisit:
		act.Satisfaction = strings.TrimSpace(to)
	}
	var before *domain.Record
	rec, err := c.Store.Update(ctx, strings.TrimSpace(id), func(r *domain.Record) error {
		cp := *r
		before = &cp
		_, err := c.Calendar.Transition(r, act, c.Now())
		return err
	})
	if err != nil {
		return nil, &officerError{msg: officerText(err), err: err}
	}
	if act.Kind == casework.ActReturn && before.Department != "" {
		if rt, ok := c.Router.(Returner); ok {
			rt.Returned(before.Department, &rec.Analysis, act.Reason)
		}
	}
	if err := c.Index.Put(ctx, []*domain.Record{rec}); err != nil {
		c.Log.Error("reindex after action", "id", id, "err", err) // the store has it; CatchUp cannot see updates, so say so
	}
	return rec, nil
}

// officerText is the Chinese sentence of a casework error (they are written for officers).
func officerText(err error) string {
	s := err.Error()
	if containsHan(s) {
		return firstClause(s)
	}
	return "操作失败"
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
