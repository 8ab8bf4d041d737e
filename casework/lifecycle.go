package casework

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"minyi/domain"
)

// Actions an officer (or the system) can take on a case; each is recorded as Event.Action.
const (
	ActAccept        = "受理"
	ActReject        = "不予受理"
	ActDispatch      = "派单"
	ActSign          = "签收"
	ActReturn        = "退单"
	ActHandle        = "办理"
	ActExtendRequest = "延期申请"
	ActExtendApprove = "延期批准"
	ActExtendDeny    = "延期驳回"
	ActSupervise     = "督办"
	ActRemind        = "催办"
	ActReply         = "答复"
	ActVisit         = "回访"
	ActClose         = "办结"
	ActReopen        = "重办"
)

// Satisfaction values of a 回访, written at the start of its Event.Reason.
const (
	Satisfied        = "满意"
	FairlySatisfied  = "基本满意"
	NotSatisfied     = "不满意"
	satisfactionSepr = "："
)

// How 派单 and 退单 events name the department in Event.Reason (domain.Event has no department
// field): "承办部门：<部门>[；<说明>]" and "<部门>退单：<原因>".
const (
	dispatchPrefix = "承办部门："
	returnInfix    = "退单："
)

// EventDepartment returns the department a 派单 or 退单 event names, or "".
func EventDepartment(ev domain.Event) string {
	switch ev.Action {
	case ActDispatch:
		if rest, ok := strings.CutPrefix(ev.Reason, dispatchPrefix); ok {
			dept, _, _ := strings.Cut(rest, "；")
			return dept
		}
	case ActReturn:
		if dept, _, ok := strings.Cut(ev.Reason, returnInfix); ok {
			return dept
		}
	}
	return ""
}

// Errors of Transition. Their texts are shown to the officer.
var (
	// ErrIllegalTransition: the action is not allowed in the record's current status.
	ErrIllegalTransition = errors.New("当前状态不能执行该操作")
	// ErrReasonRequired: 退单, 不予受理, 延期申请, 延期驳回 and 重办 must say why.
	ErrReasonRequired = errors.New("请填写原因")
	// ErrDepartmentRequired: 派单 must name a department.
	ErrDepartmentRequired = errors.New("请选择承办部门")
	// ErrSatisfactionRequired: a 回访 must record 满意, 基本满意 or 不满意.
	ErrSatisfactionRequired = errors.New("请选择回访满意度（满意、基本满意、不满意）")
	// ErrUnknownAction: the action is not one of the Act… constants.
	ErrUnknownAction = errors.New("未知的操作")
)

// Action is one step an officer asks for.
type Action struct {
	Kind         string // one of the Act… constants
	Actor        string // who acts; "系统" for automatic steps
	Department   string // 派单: the department the case goes to
	Reason       string // why (required for 退单, 不予受理, 延期申请, 延期驳回, 重办)
	Satisfaction string // 回访: 满意, 基本满意 or 不满意
	Extend       Limit  // 延期批准: the extension granted; zero means the policy's
}

// openStatuses are those in which the city still owes an answer and the clock runs.
func openStatuses() []string {
	return []string{
		domain.StatusNew, domain.StatusAccepted, domain.StatusToDispatch, domain.StatusDispatched,
		domain.StatusSigned, domain.StatusHandling,
	}
}

// OpenStatuses lists the statuses in which a case is open, in lifecycle order, so views of
// overdue cases can ask the index for exactly these.
func OpenStatuses() []string { return openStatuses() }

// IsOpen reports whether the city still owes the citizen an answer in status s.
func IsOpen(s string) bool {
	return s == "" || contains(openStatuses(), s)
}

// legal returns the statuses action may be taken from and the status it leads to ("" =
// unchanged); ok is false for an unknown action.
func legal(action string) (from []string, to string, ok bool) {
	working := []string{domain.StatusSigned, domain.StatusHandling}
	switch action {
	case ActAccept:
		return []string{domain.StatusNew}, domain.StatusAccepted, true
	case ActReject:
		return []string{domain.StatusNew}, domain.StatusRejected, true
	case ActDispatch:
		return []string{domain.StatusAccepted, domain.StatusToDispatch}, domain.StatusDispatched, true
	case ActSign:
		return []string{domain.StatusDispatched}, domain.StatusSigned, true
	case ActReturn:
		return []string{domain.StatusDispatched, domain.StatusSigned}, domain.StatusToDispatch, true
	case ActHandle:
		return []string{domain.StatusSigned}, domain.StatusHandling, true
	case ActExtendRequest, ActExtendApprove, ActExtendDeny:
		return working, "", true
	case ActSupervise, ActRemind:
		return openStatuses(), "", true
	case ActReply:
		return working, domain.StatusReplied, true
	case ActVisit:
		return []string{domain.StatusReplied}, domain.StatusVisited, true
	case ActClose:
		return []string{domain.StatusReplied, domain.StatusVisited}, domain.StatusClosed, true
	case ActReopen:
		return []string{domain.StatusReplied, domain.StatusVisited, domain.StatusClosed}, domain.StatusHandling, true
	}
	return nil, "", false
}

// Actions lists every action in lifecycle order, for menus and tests.
func Actions() []string {
	return []string{ActAccept, ActReject, ActDispatch, ActSign, ActReturn, ActHandle, ActExtendRequest,
		ActExtendApprove, ActExtendDeny, ActSupervise, ActRemind, ActReply, ActVisit, ActClose, ActReopen}
}

// Allowed lists the actions legal in status s, so the UI shows only buttons that will work.
func Allowed(s string) []string {
	if s == "" {
		s = domain.StatusNew
	}
	var out []string
	for _, a := range Actions() {
		if from, _, _ := legal(a); contains(from, s) {
			out = append(out, a)
		}
	}
	return out
}

// Transition applies act to r at now on the built-in calendar and default deadlines; see
// Calendar.Transition.
func Transition(r *domain.Record, act Action, now time.Time) (domain.Event, error) {
	return defaultCalendar().Transition(r, act, now)
}

// Transition validates act against r's status and, when it is allowed, mutates r — status,
// department, due date — and appends and returns the event. On error r is unchanged. The app calls
// it inside the store transaction that saves r, so a case never moves twice at once.
//
// 受理 starts the 办结 clock; 派单 needs a department; 退单 sends the case back to 待派单 and clears
// the department, keeping the deadline (the city's clock does not restart); 延期申请 pauses the clock
// until it is approved or refused, and the time it waited is added to the deadline; 延期批准 adds
// the extension; 重办 restarts the 办结 clock; 督办 and 催办 change nothing but the history.
func (c *Calendar) Transition(r *domain.Record, act Action, now time.Time) (domain.Event, error) {
	from, to, ok := legal(act.Kind)
	if !ok {
		return domain.Event{}, fmt.Errorf("%w：%q", ErrUnknownAction, act.Kind)
	}
	status := r.Status
	if status == "" {
		status = domain.StatusNew
	}
	if !contains(from, status) {
		return domain.Event{}, fmt.Errorf("%w：案件处于“%s”状态，不能%s", ErrIllegalTransition, status, act.Kind)
	}
	reason := strings.TrimSpace(act.Reason)
	switch act.Kind {
	case ActReturn, ActReject, ActExtendRequest, ActExtendDeny, ActReopen:
		if reason == "" {
			return domain.Event{}, fmt.Errorf("%w：%s需要说明原因", ErrReasonRequired, act.Kind)
		}
	case ActDispatch:
		if strings.TrimSpace(act.Department) == "" {
			return domain.Event{}, ErrDepartmentRequired
		}
	case ActVisit:
		switch act.Satisfaction {
		case Satisfied, FairlySatisfied, NotSatisfied:
			if reason != "" {
				reason = act.Satisfaction + satisfactionSepr + reason
			} else {
				reason = act.Satisfaction
			}
		default:
			return domain.Event{}, ErrSatisfactionRequired
		}
	}
	pending, requested := PendingExtension(r)
	switch act.Kind {
	case ActExtendRequest:
		if pending {
			return domain.Event{}, fmt.Errorf("%w：已有延期申请待审批", ErrIllegalTransition)
		}
	case ActExtendApprove, ActExtendDeny:
		if !pending {
			return domain.Event{}, fmt.Errorf("%w：没有待审批的延期申请，不能%s", ErrIllegalTransition, act.Kind)
		}
	}

	ev := domain.Event{Time: now, Actor: act.Actor, Action: act.Kind, From: status, To: status, Reason: reason}
	if to != "" {
		ev.To = to
	}
	switch act.Kind {
	case ActDispatch:
		dept := strings.TrimSpace(act.Department)
		r.Department = dept
		ev.Reason = dispatchPrefix + dept
		if reason != "" {
			ev.Reason += "；" + reason
		}
	case ActReturn:
		if r.Department != "" {
			ev.Reason = r.Department + returnInfix + reason
		}
		r.Department = ""
	case ActExtendApprove, ActExtendDeny:
		due := r.Due
		if due.IsZero() {
			due = c.Due(r, DueFinish)
		}
		if paused := now.Sub(requested); paused > 0 {
			due = due.Add(paused)
		}
		if act.Kind == ActExtendApprove {
			l := act.Extend
			if l.Days <= 0 {
				l = c.Policy().Rule(r).Extend
			}
			due = c.extend(due, l)
			if ev.Reason == "" {
				ev.Reason = "延期" + l.String()
			}
		}
		r.Due = due
	}
	r.Status = ev.To
	r.Events = append(r.Events, ev)
	// Deadlines that count from this event are computed after it is recorded.
	switch act.Kind {
	case ActAccept, ActReopen:
		r.Due = c.Due(r, DueFinish)
	}
	return ev, nil
}

// PendingExtension reports whether r has a 延期申请 not yet approved or refused, and when it was
// made. While it is pending the case's clock is paused: it is neither overdue nor reminded.
func PendingExtension(r *domain.Record) (bool, time.Time) {
	for i := len(r.Events) - 1; i >= 0; i-- {
		switch r.Events[i].Action {
		case ActExtendRequest:
			return true, r.Events[i].Time
		case ActExtendApprove, ActExtendDeny, ActReopen, ActReply:
			return false, time.Time{}
		}
	}
	return false, time.Time{}
}

// SatisfactionOf returns the satisfaction a 回访 event recorded, or "" for other events.
func SatisfactionOf(ev domain.Event) string {
	if ev.Action != ActVisit {
		return ""
	}
	for _, s := range []string{FairlySatisfied, NotSatisfied, Satisfied} { // longest first: 基本满意 ⊃ 满意
		if ev.Reason == s || strings.HasPrefix(ev.Reason, s+satisfactionSepr) {
			return s
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
