package app

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"minyi/casework"
	"minyi/domain"
	"minyi/store"
)

// demoActor is who the seeded history names, so nobody mistakes it for an officer's work.
const demoActor = "演示数据"

// seedDemoHistory gives the demo's older messages the case history a real inbox has: most are
// dispatched and closed (some late, some after a 退单, with 回访 satisfaction), recent ones are
// being handled, the newest wait for 受理. Without it every KPI of a fresh demo is zero and the
// overdue views are empty. Each record's path is chosen from a hash of its id, so the same demo
// always gets the same history; every step goes through the casework lifecycle and the audit chain.
func (c *Core) seedDemoHistory(ctx context.Context, ids []string) error {
	now := c.Now()
	var steps []store.AuditedStep
	for _, id := range ids {
		r, err := c.Store.Get(ctx, id)
		if err != nil {
			return err
		}
		steps = append(steps, c.demoPath(r, now)...)
	}
	if len(steps) == 0 {
		return nil
	}
	recs, err := c.Store.ApplyAudited(ctx, steps)
	if err != nil {
		return fmt.Errorf("seed demo history: %w", err)
	}
	c.reindex(ctx, recs...)
	return nil
}

// demoPath plans one record's steps, none later than now.
func (c *Core) demoPath(r *domain.Record, now time.Time) []store.AuditedStep {
	h := fnv.New32a()
	h.Write([]byte(r.ID))
	roll := int(h.Sum32() % 100)
	first, second := "", ""
	if len(r.Suggestions) > 0 {
		first = r.Suggestions[0].Department
	}
	if len(r.Suggestions) > 1 {
		second = r.Suggestions[1].Department
	}
	if first == "" {
		return nil
	}
	age := now.Sub(r.Time)
	t := r.Time
	var steps []store.AuditedStep
	add := func(after time.Duration, kind, to, reason string) {
		t = t.Add(after)
		if t.After(now) {
			return
		}
		act := casework.Action{Kind: kind, Actor: demoActor, Reason: reason}
		switch kind {
		case casework.ActDispatch:
			act.Department = to
		case casework.ActVisit:
			act.Satisfaction = to
		}
		at := t
		steps = append(steps, store.AuditedStep{
			ID:    r.ID,
			Entry: store.AuditEntry{Time: at, Actor: demoActor, Action: kind, Reason: reason, Detail: to},
			Fn: func(rec *domain.Record) error {
				_, err := c.Calendar.Transition(rec, act, at)
				return err
			},
		})
	}
	dispatch := func(dept string) {
		add(3*time.Hour, casework.ActDispatch, dept, "")
	}
	handle := func() {
		add(20*time.Hour, casework.ActSign, "", "")
		add(2*time.Hour, casework.ActHandle, "", "")
	}
	satisfaction := casework.Satisfied
	switch {
	case roll%7 == 0:
		satisfaction = casework.NotSatisfied
	case roll%3 == 0:
		satisfaction = casework.FairlySatisfied
	}
	close := func() {
		// Replies take from one to about sixteen days: the slow ones miss their deadline.
		add(time.Duration(24+roll*4)*time.Hour, casework.ActReply, "", "已现场核查并处理")
		add(30*time.Hour, casework.ActVisit, satisfaction, "")
		add(time.Hour, casework.ActClose, "", "")
	}
	switch {
	case age < 36*time.Hour || roll >= 94:
		return nil // waits for 受理 (the oldest of these are overdue)
	case age < 5*24*time.Hour:
		if roll < 70 {
			add(2*time.Hour, casework.ActAccept, "", "")
			dispatch(first)
		}
	case age < 15*24*time.Hour || roll >= 86:
		add(2*time.Hour, casework.ActAccept, "", "")
		dispatch(first)
		handle()
	case roll < 12 && second != "" && second != first:
		add(2*time.Hour, casework.ActAccept, "", "")
		dispatch(first)
		add(6*time.Hour, casework.ActReturn, "", "不属于本单位职责，请改派")
		dispatch(second)
		handle()
		close()
	default:
		add(2*time.Hour, casework.ActAccept, "", "")
		dispatch(first)
		handle()
		close()
	}
	return steps
}
