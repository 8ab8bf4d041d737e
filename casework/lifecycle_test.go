package casework

import (
	"errors"
	"strings"
	"testing"
	"time"

	"minyi/domain"
)

// newRecord is a 12345 complaint received on a Monday in March 2025.
func newRecord(tb testing.TB) *domain.Record {
	tb.Helper()
	recv := time.Date(2025, 3, 10, 9, 0, 0, 0, china)
	return &domain.Record{
		ID: "M000001", Received: recv, Status: domain.StatusNew,
		Item: domain.Item{Channel: domain.ChannelHotline, Title: "演达大道夜间渣土车遗撒", Body: "每天晚上渣土车遗撒，请处理。", Time: recv},
	}
}

// goodAction is a well-formed action of each kind, so the matrix tests only legality.
func goodAction(kind string) Action {
	return Action{Kind: kind, Actor: "张三", Department: "市城市管理和综合执法局", Reason: "测试原因", Satisfaction: Satisfied}
}

// withPendingExtension is how a record in status s looks when a 延期申请 waits.
func withPendingExtension(r *domain.Record) {
	r.Events = append(r.Events, domain.Event{Time: r.Received.Add(time.Hour), Action: ActExtendRequest, Reason: "需要现场核查"})
}

func TestTransitionMatrix(t *testing.T) {
	statuses := []string{domain.StatusNew, domain.StatusAccepted, domain.StatusToDispatch, domain.StatusDispatched,
		domain.StatusSigned, domain.StatusHandling, domain.StatusReplied, domain.StatusVisited, domain.StatusClosed, domain.StatusRejected}
	// want[action] = status → resulting status; absent statuses are illegal. Written from the
	// brief, independently of legal().
	same := "="
	want := map[string]map[string]string{
		ActAccept:        {domain.StatusNew: domain.StatusAccepted},
		ActReject:        {domain.StatusNew: domain.StatusRejected},
		ActDispatch:      {domain.StatusAccepted: domain.StatusDispatched, domain.StatusToDispatch: domain.StatusDispatched},
		ActSign:          {domain.StatusDispatched: domain.StatusSigned},
		ActReturn:        {domain.StatusDispatched: domain.StatusToDispatch, domain.StatusSigned: domain.StatusToDispatch},
		ActHandle:        {domain.StatusSigned: domain.StatusHandling},
		ActExtendRequest: {domain.StatusSigned: same, domain.StatusHandling: same},
		ActExtendApprove: {domain.StatusSigned: same, domain.StatusHandling: same},
		ActExtendDeny:    {domain.StatusSigned: same, domain.StatusHandling: same},
		ActSupervise: {domain.StatusNew: same, domain.StatusAccepted: same, domain.StatusToDispatch: same,
			domain.StatusDispatched: same, domain.StatusSigned: same, domain.StatusHandling: same},
		ActRemind: {domain.StatusNew: same, domain.StatusAccepted: same, domain.StatusToDispatch: same,
			domain.StatusDispatched: same, domain.StatusSigned: same, domain.StatusHandling: same},
		ActReply:  {domain.StatusSigned: domain.StatusReplied, domain.StatusHandling: domain.StatusReplied},
		ActVisit:  {domain.StatusReplied: domain.StatusVisited},
		ActClose:  {domain.StatusReplied: domain.StatusClosed, domain.StatusVisited: domain.StatusClosed},
		ActReopen: {domain.StatusReplied: domain.StatusHandling, domain.StatusVisited: domain.StatusHandling, domain.StatusClosed: domain.StatusHandling},
	}
	if len(want) != len(Actions()) {
		t.Fatalf("matrix covers %d actions, Actions() has %d", len(want), len(Actions()))
	}
	now := time.Date(2025, 3, 11, 10, 0, 0, 0, china)
	for _, act := range Actions() {
		for _, st := range statuses {
			to, ok := want[act][st]
			name := st + "→" + act
			t.Run(name, func(t *testing.T) {
				r := newRecord(t)
				r.Status = st
				r.Department = "市城市管理和综合执法局"
				if act == ActExtendApprove || act == ActExtendDeny {
					withPendingExtension(r)
				}
				before := len(r.Events)
				ev, err := Transition(r, goodAction(act), now)
				if !ok {
					if !errors.Is(err, ErrIllegalTransition) {
						t.Fatalf("got %v, want ErrIllegalTransition", err)
					}
					if !strings.Contains(err.Error(), st) || !strings.Contains(err.Error(), act) {
						t.Errorf("message %q should name status %s and action %s", err, st, act)
					}
					if r.Status != st || len(r.Events) != before {
						t.Errorf("illegal transition changed the record: %s, %d events", r.Status, len(r.Events))
					}
					return
				}
				if err != nil {
					t.Fatalf("legal transition refused: %v", err)
				}
				if to == same {
					to = st
				}
				if r.Status != to || ev.To != to || ev.From != st || ev.Action != act || !ev.Time.Equal(now) || ev.Actor != "张三" {
					t.Errorf("status %s, event %+v; want %s", r.Status, ev, to)
				}
				if len(r.Events) != before+1 || r.Events[len(r.Events)-1] != ev {
					t.Errorf("event not appended")
				}
				allowed := Allowed(st)
				found := false
				for _, a := range allowed {
					found = found || a == act
				}
				if !found {
					t.Errorf("Allowed(%s) = %v misses %s", st, allowed, act)
				}
			})
		}
	}
}

func TestTransitionValidation(t *testing.T) {
	now := time.Date(2025, 3, 11, 10, 0, 0, 0, china)
	cases := []struct {
		name   string
		status string
		act    Action
		want   error
	}{
		{"退单 without reason", domain.StatusDispatched, Action{Kind: ActReturn, Reason: "  "}, ErrReasonRequired},
		{"不予受理 without reason", domain.StatusNew, Action{Kind: ActReject}, ErrReasonRequired},
		{"延期申请 without reason", domain.StatusHandling, Action{Kind: ActExtendRequest}, ErrReasonRequired},
		{"重办 without reason", domain.StatusClosed, Action{Kind: ActReopen}, ErrReasonRequired},
		{"派单 without department", domain.StatusAccepted, Action{Kind: ActDispatch, Department: " "}, ErrDepartmentRequired},
		{"回访 without satisfaction", domain.StatusReplied, Action{Kind: ActVisit}, ErrSatisfactionRequired},
		{"回访 with a made-up satisfaction", domain.StatusReplied, Action{Kind: ActVisit, Satisfaction: "还行"}, ErrSatisfactionRequired},
		{"unknown action", domain.StatusNew, Action{Kind: "删除"}, ErrUnknownAction},
		{"延期批准 with nothing pending", domain.StatusHandling, Action{Kind: ActExtendApprove}, ErrIllegalTransition},
		{"empty status counts as 待受理", "", Action{Kind: ActSign}, ErrIllegalTransition},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRecord(t)
			r.Status = tc.status
			_, err := Transition(r, tc.act, now)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if r.Status != tc.status || len(r.Events) != 0 {
				t.Errorf("refused transition changed the record")
			}
		})
	}
	t.Run("second 延期申请 while one is pending", func(t *testing.T) {
		r := newRecord(t)
		r.Status = domain.StatusHandling
		withPendingExtension(r)
		if _, err := Transition(r, Action{Kind: ActExtendRequest, Reason: "再延"}, now); !errors.Is(err, ErrIllegalTransition) {
			t.Errorf("got %v", err)
		}
	})
}

// step applies one action and fails the test if it is refused.
func step(tb testing.TB, cal *Calendar, r *domain.Record, act Action, now time.Time) domain.Event {
	tb.Helper()
	ev, err := cal.Transition(r, act, now)
	if err != nil {
		tb.Fatalf("%s at %s: %v", act.Kind, r.Status, err)
	}
	return ev
}

func TestLifecycleHappyPathAndDeadlines(t *testing.T) {
	cal := NewCalendar()
	r := newRecord(t)
	d := func(s string) time.Time { return day(t, s) }
	const dept = "市城市管理和综合执法局"

	step(t, cal, r, Action{Kind: ActAccept, Actor: "受理员"}, d("2025-09-26"))
	// 12345 投诉: 13 working days from 受理 across 国庆 2025 (see TestAddWorkingDays).
	if got := r.Due.Format("2006-01-02 15:04:05"); got != "2025-10-21 23:59:59" {
		t.Errorf("due after 受理 = %s", got)
	}
	step(t, cal, r, Action{Kind: ActDispatch, Department: dept}, d("2025-09-26"))
	if r.Department != dept {
		t.Errorf("department %q", r.Department)
	}
	ev := step(t, cal, r, Action{Kind: ActReturn, Reason: "不属于本单位职责"}, d("2025-09-28"))
	if r.Department != "" || r.Status != domain.StatusToDispatch || EventDepartment(ev) != dept {
		t.Errorf("退单: dept %q status %s event dept %q", r.Department, r.Status, EventDepartment(ev))
	}
	if got := r.Due.Format("2006-01-02"); got != "2025-10-21" {
		t.Errorf("退单 moved the deadline to %s", got)
	}
	step(t, cal, r, Action{Kind: ActDispatch, Department: "惠城区江北街道办事处", Reason: "属地处理"}, d("2025-09-29"))
	step(t, cal, r, Action{Kind: ActSign}, d("2025-09-29"))
	step(t, cal, r, Action{Kind: ActHandle}, d("2025-09-30"))
	// 延期: requested 10-17, approved 10-20 (3 days paused), +10 working days from the paused deadline.
	step(t, cal, r, Action{Kind: ActExtendRequest, Reason: "需协调交警夜查"}, d("2025-10-17"))
	if !cal.DueOf(r).Equal(r.Due) || cal.Overdue(r, d("2025-10-25")) {
		t.Error("a pending extension must pause the clock")
	}
	ev = step(t, cal, r, Action{Kind: ActExtendApprove, Actor: "科长"}, d("2025-10-20"))
	// 2025-10-21 + 3 days paused = 10-24 (Fri) 23:59:59, then 10 working days → 11-07.
	if got := r.Due.Format("2006-01-02"); got != "2025-11-07" {
		t.Errorf("due after 延期批准 = %s (%s)", got, ev.Reason)
	}
	step(t, cal, r, Action{Kind: ActSupervise, Reason: "市领导批示"}, d("2025-10-22"))
	step(t, cal, r, Action{Kind: ActReply, Reason: "已联合交警查处"}, d("2025-11-03"))
	step(t, cal, r, Action{Kind: ActVisit, Satisfaction: NotSatisfied, Reason: "渣土车仍然夜间通行"}, d("2025-11-05"))
	if got := SatisfactionOf(r.Events[len(r.Events)-1]); got != NotSatisfied {
		t.Errorf("satisfaction %q", got)
	}
	step(t, cal, r, Action{Kind: ActReopen, Reason: "回访不满意"}, d("2025-11-06"))
	if r.Status != domain.StatusHandling || r.Department != "惠城区江北街道办事处" {
		t.Errorf("重办: %s %s", r.Status, r.Department)
	}
	// 重办 restarts the 13-working-day clock: 2025-11-06 (Thu) → 11-25 (Tue).
	if got := r.Due.Format("2006-01-02"); got != "2025-11-25" {
		t.Errorf("due after 重办 = %s", got)
	}
	step(t, cal, r, Action{Kind: ActReply}, d("2025-11-20"))
	step(t, cal, r, Action{Kind: ActVisit, Satisfaction: FairlySatisfied}, d("2025-11-21"))
	step(t, cal, r, Action{Kind: ActClose}, d("2025-11-21"))
	if r.Status != domain.StatusClosed || len(r.Events) != 15 {
		t.Errorf("end: %s with %d events", r.Status, len(r.Events))
	}
}

func TestSatisfactionOf(t *testing.T) {
	cases := []struct {
		ev   domain.Event
		want string
	}{
		{domain.Event{Action: ActVisit, Reason: "满意"}, Satisfied},
		{domain.Event{Action: ActVisit, Reason: "基本满意：处理及时"}, FairlySatisfied},
		{domain.Event{Action: ActVisit, Reason: "不满意：没解决"}, NotSatisfied},
		{domain.Event{Action: ActVisit, Reason: "满意度一般"}, ""},
		{domain.Event{Action: ActReply, Reason: "满意"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.ev.Reason, func(t *testing.T) {
			if got := SatisfactionOf(tc.ev); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
