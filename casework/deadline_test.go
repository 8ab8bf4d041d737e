package casework

import (
	"testing"
	"time"

	"minyi/domain"
)

func TestDue(t *testing.T) {
	cal := NewCalendar()
	mk := func(ch, title string, prio int, recv string) *domain.Record {
		r := &domain.Record{Received: day(t, recv), Status: domain.StatusNew,
			Item: domain.Item{Channel: ch, Title: title, Body: "具体情况见标题。"}}
		r.Analysis.Priority = prio
		return r
	}
	cases := []struct {
		name string
		r    *domain.Record
		kind DueKind
		want string
	}{
		{"信访 受理 15日", mk(domain.ChannelPetition, "反映违建问题", 0, "2025-03-03"), DueAccept, "2025-03-18"},
		{"信访 办结 60日", mk(domain.ChannelPetition, "反映违建问题", 0, "2025-03-03"), DueFinish, "2025-05-06"}, // 05-02 is 劳动节: next working day
		{"信访 受理 ending on 国庆", mk(domain.ChannelPetition, "反映违建问题", 0, "2025-09-16"), DueAccept, "2025-10-09"},
		{"12345 咨询 3个工作日", mk(domain.ChannelHotline, "咨询加装电梯补贴政策", 0, "2025-09-30"), DueFinish, "2025-10-11"},
		{"12345 投诉 13个工作日", mk(domain.ChannelHotline, "渣土车夜间超速", 0, "2025-09-26"), DueFinish, "2025-10-21"},
		{"12345 建议 13个工作日", mk(domain.ChannelHotline, "关于规范夜市的建议", 0, "2026-02-13"), DueFinish, "2026-03-10"}, // 02-14 and 02-28 are 调休 Saturdays,
		{"12345 受理 1个工作日", mk(domain.ChannelHotline, "渣土车夜间超速", 0, "2026-02-13"), DueAccept, "2026-02-14"},
		{"紧急 当日", mk(domain.ChannelHotline, "闻到燃气泄漏味道", 3, "2025-10-03"), DueFinish, "2025-10-03"},
		{"留言板 15个工作日", mk(domain.ChannelBoard, "下埔路夜市占道", 0, "2026-09-18"), DueFinish, "2026-10-15"},      // 09-20 and 10-10 count,
		{"信箱 咨询 5个工作日", mk(domain.ChannelMailbox, "咨询自建房报建手续", 0, "2026-04-30"), DueFinish, "2026-05-11"}, // 05-09 Saturday counts,
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := cal.Due(tc.r, tc.kind)
			if got.Format("2006-01-02 15:04:05") != tc.want+" 23:59:59" {
				t.Errorf("Due = %s, want %s end of day", got.Format("2006-01-02 15:04:05"), tc.want)
			}
		})
	}
}

func TestRequestType(t *testing.T) {
	cases := []struct {
		title, body string
		extra       map[string]string
		want        string
	}{
		{"咨询门店招牌设置审批", "您好，我准备开店。", nil, TypeConsult},
		{"路灯不亮", "请问什么时候修？", nil, TypeConsult},
		{"关于城市内涝治理的建议", "建议排查管网。", nil, TypeSuggestion},
		{"表扬环卫工人及时清理", "感谢。", nil, TypePraise},
		{"举报惠东县吉隆镇违法占用农田建房", "请查处。", nil, TypeReport},
		{"楼下烧烤店油烟直排", "油烟很大。", nil, TypeComplaint},
		{"路灯不亮", "请问什么时候修？", map[string]string{"诉求类型": TypeHelp}, TypeHelp},
	}
	for _, tc := range cases {
		t.Run(tc.title, func(t *testing.T) {
			r := &domain.Record{Item: domain.Item{Title: tc.title, Body: tc.body, Extra: tc.extra}}
			if got := RequestType(r); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestWithPolicy(t *testing.T) {
	p := DefaultPolicy()
	p.Rules = append([]Rule{{Channel: domain.ChannelHotline, Finish: Limit{Days: 5}}}, p.Rules...)
	cal := NewCalendar().WithPolicy(p)
	r := &domain.Record{Received: day(t, "2025-03-03"), Item: domain.Item{Channel: domain.ChannelHotline, Title: "噪音"}}
	if got := cal.Due(r, DueFinish).Format("2006-01-02"); got != "2025-03-10" { // 03-08 Saturday → Monday
		t.Errorf("custom policy due %s", got)
	}
	if got := NewCalendar().Due(r, DueFinish).Format("2006-01-02"); got != "2025-03-20" {
		t.Errorf("default policy changed: %s", got)
	}
}

func TestOverdueDueSoonAndReminders(t *testing.T) {
	cal := NewCalendar()
	due := time.Date(2025, 9, 30, 23, 59, 59, 0, china)
	mk := func(id, status string) domain.Record {
		return domain.Record{ID: id, Status: status, Due: due, Department: "市生态环境局",
			Item: domain.Item{Channel: domain.ChannelHotline, Title: "工地扬尘"}}
	}
	open := mk("A", domain.StatusHandling)
	replied := mk("B", domain.StatusReplied)
	paused := mk("C", domain.StatusHandling)
	paused.Events = []domain.Event{{Time: due.Add(-48 * time.Hour), Action: ActExtendRequest, Reason: "等待检测报告"}}
	reminded := mk("D", domain.StatusSigned)
	reminded.Events = []domain.Event{{Time: due.Add(time.Hour), Action: ActRemind, Actor: SystemActor}}
	remindedBefore := mk("E", domain.StatusSigned)
	remindedBefore.Events = []domain.Event{{Time: due.Add(-time.Hour), Action: ActRemind}}

	cases := []struct {
		name    string
		r       domain.Record
		now     time.Time
		overdue bool
		soon    bool
	}{
		{"on the deadline day", open, due.Add(-time.Hour), false, true},
		{"three working days before", open, time.Date(2025, 9, 26, 9, 0, 0, 0, china), false, true},
		{"the day after", open, due.Add(time.Second), true, false},
		{"replied cases are not overdue", replied, due.Add(72 * time.Hour), false, false},
		{"a pending extension pauses", paused, due.Add(72 * time.Hour), false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := cal.Overdue(&tc.r, tc.now); got != tc.overdue {
				t.Errorf("Overdue = %v", got)
			}
			if got := cal.DueSoon(&tc.r, tc.now, 3); got != tc.soon {
				t.Errorf("DueSoon = %v", got)
			}
		})
	}
	now := time.Date(2025, 10, 9, 8, 0, 0, 0, china)
	recs := []domain.Record{open, replied, paused, reminded, remindedBefore}
	got := cal.Reminders(recs, now)
	if len(got) != 2 || got[0].ID != "A" || got[1].ID != "E" || got[0].DaysOver != 9 {
		t.Fatalf("Reminders = %+v, want A and E, 9 days over", got)
	}
	ev, err := cal.Remind(&recs[0], now)
	if err != nil || ev.Action != ActRemind || ev.Actor != SystemActor || recs[0].Status != domain.StatusHandling {
		t.Fatalf("Remind: %+v %v", ev, err)
	}
	if again := cal.Reminders(recs, now.Add(24*time.Hour)); len(again) != 1 || again[0].ID != "E" {
		t.Errorf("a reminded case was listed again: %+v", again)
	}
}

func TestDueOfWithoutStoredDue(t *testing.T) {
	cal := NewCalendar()
	r := &domain.Record{Received: day(t, "2025-03-03"), Status: domain.StatusNew, Item: domain.Item{Channel: domain.ChannelPetition, Title: "反映问题"}}
	if got := cal.DueOf(r).Format("2006-01-02"); got != "2025-03-18" {
		t.Errorf("待受理 DueOf = %s, want the 受理 deadline", got)
	}
	r.Status = domain.StatusDispatched
	if got := cal.DueOf(r).Format("2006-01-02"); got != "2025-05-06" {
		t.Errorf("已派单 DueOf = %s, want the 办结 deadline", got)
	}
}
