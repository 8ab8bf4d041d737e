package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"minyi/casework"
	"minyi/domain"
)

// mustIngest stores items through the real pipeline and returns their record ids.
func mustIngest(tb testing.TB, c *Core, items ...domain.Item) []string {
	tb.Helper()
	out, err := c.Ingest(context.Background(), items)
	if err != nil {
		tb.Fatal(err)
	}
	ids := make([]string, len(out))
	for i, o := range out {
		ids[i] = o.ID
	}
	return ids
}

func TestActIsAuditedAndValidated(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	ids := mustIngest(t, c, item("1", "渣土车夜间抛洒", "江北街道文昌一路每天晚上有渣土车抛洒泥土，尘土飞扬。"))
	steps := []struct {
		action, to, reason string
		status, errText    string
	}{
		{"派单", "市城管执法局", "", "", "不能派单"},
		{"受理", "", "", domain.StatusAccepted, ""},
		{"派单", "", "", "", "请选择承办部门"},
		{"派单", "市城管执法局", "", domain.StatusDispatched, ""},
		{"退单", "", "", "", "原因"},
		{"退单", "", "不属于本单位职责", domain.StatusToDispatch, ""},
		{ActRecategorise, "城乡建设", "人工更正", domain.StatusToDispatch, ""},
		{"飞走", "", "", "", "未知的操作"},
	}
	base, err := c.Store.VerifyAudit(ctx) // the intake itself is audited
	if err != nil {
		t.Fatal(err)
	}
	good := 0
	for _, st := range steps {
		t.Run(st.action+st.to+st.reason, func(t *testing.T) {
			r, err := c.Act(ctx, ids[0], st.action, st.to, st.reason, "值班员")
			if st.errText != "" {
				if err == nil || !strings.Contains(err.Error(), st.errText) || !containsHan(err.Error()) {
					t.Fatalf("err = %v, want %q", err, st.errText)
				}
				return
			}
			if err != nil || r.Status != st.status {
				t.Fatalf("act = %+v, %v", r, err)
			}
			good++
		})
	}
	r, _ := c.Store.Get(ctx, ids[0])
	if r.Analysis.Category != "城乡建设" || len(r.Events) != good {
		t.Fatalf("record after actions: category %q, %d events, want %d", r.Analysis.Category, len(r.Events), good)
	}
	rep, err := c.Store.VerifyAudit(ctx)
	if err != nil || !rep.OK || rep.Entries != base.Entries+good {
		t.Fatalf("audit = %+v, %v; want %d intact entries (refused actions leave none)", rep, err, base.Entries+good)
	}
	if res, _ := c.Search(ctx, SearchQuery{Status: domain.StatusToDispatch}); res.Total != 1 {
		t.Fatalf("index not updated after actions: %+v", res)
	}
	if _, err := NewApp(c, context.Background).Act("M999999", "受理", "", ""); err == nil || !strings.Contains(err.Error(), "未找到") {
		t.Fatalf("missing record = %v", err)
	}
}

func TestBulkActReportsEachRecord(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	ids := mustIngest(t, c,
		item("1", "路灯不亮", "麦地路路灯连续一周不亮"),
		item("2", "井盖缺失", "下埔路井盖缺失，有安全隐患"),
		item("3", "噪音扰民", "演达路工地夜间施工噪音"))
	if _, err := c.Act(ctx, ids[1], "不予受理", "", "重复来信", "值班员"); err != nil {
		t.Fatal(err)
	}
	var progress []int
	res, err := c.BulkAct(ctx, append(ids, "M999999"), "受理", "", "", "值班员", func(done, total int) {
		if total != 4 {
			t.Errorf("total = %d", total)
		}
		progress = append(progress, done)
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 2 || res.Failed != 2 || len(progress) != 4 || progress[3] != 4 {
		t.Fatalf("bulk = %+v, progress %v", res, progress)
	}
	if !res.Items[0].OK || res.Items[1].OK || !strings.Contains(res.Items[1].Error, "不予受理") || !strings.Contains(res.Items[3].Error, "未找到") {
		t.Fatalf("items = %+v", res.Items)
	}
	a := NewApp(c, context.Background)
	br, err := a.BulkAct(ids, "派单", "市城管执法局", "")
	if err != nil || br.Done != 2 || br.Failed != 1 {
		t.Fatalf("bound bulk 派单 = %+v, %v", br, err)
	}
}

func TestNearDuplicatesJoinOpenCases(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	body := "惠城区江北街道文昌一路华贸中心旁边的工地每天晚上十一点以后还在施工，打桩机声音很大，附近小区居民根本无法入睡，请城管部门尽快查处。"
	a := item("a", "工地夜间施工噪音扰民", body)
	b := item("b", "再次反映工地夜间施工噪音扰民", body+"已经反映过一次了，还是没有改善。")
	b.Source, b.Channel = "市长信箱", domain.ChannelMailbox
	other := item("c", "工地夜间施工噪音扰民", strings.ReplaceAll(strings.ReplaceAll(body, "惠城区江北街道文昌一路华贸中心", "惠阳区淡水街道开城大道"), "惠城", "惠阳"))
	unrelated := item("d", "小区电梯频繁故障", "我们小区3栋电梯一个月坏了五次，物业只是简单维修，老人小孩出行很不方便，请市场监管部门督促。")
	ids := mustIngest(t, c, a, b, other, unrelated)
	base, err := c.Store.VerifyAudit(ctx) // the intake itself is audited
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.GroupDuplicates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Seen != 4 || len(res.Joined) != 1 || res.Joined[0] != ids[1] {
		t.Fatalf("grouping = %+v (ids %v)", res, ids)
	}
	if again, _ := c.GroupDuplicates(ctx); again.Seen != 0 {
		t.Fatalf("second pass saw %d records again", again.Seen)
	}
	v, err := c.Case(ctx, ids[1])
	if err != nil {
		t.Fatal(err)
	}
	if v.CaseID != ids[0] || len(v.Messages) != 2 || v.Due == "" || len(v.Allowed) == 0 {
		t.Fatalf("case view = %+v", v)
	}
	if last := v.Timeline[len(v.Timeline)-1]; last.Action != ActMerge || last.ID != ids[1] || last.Actor != casework.SystemActor {
		t.Fatalf("timeline = %+v", v.Timeline)
	}

	// The officer merges the other district's complaint by hand, then splits the head off.
	tests := []struct {
		name    string
		do      func() error
		caseOf  map[string]string
		errText string
	}{
		{"merge", func() error {
			_, err := c.Merge(ctx, []string{ids[2], ids[1]}, "同一施工单位", "值班员")
			return err
		},
			map[string]string{ids[1]: ids[0], ids[2]: ids[0], ids[3]: ids[3]}, ""},
		{"merge again", func() error { _, err := c.Merge(ctx, []string{ids[0], ids[2]}, "", "值班员"); return err }, nil, "同一案件"},
		{"split the head", func() error { _, err := c.Split(ctx, ids[0], "误合并", "值班员"); return err },
			map[string]string{ids[0]: ids[0], ids[1]: ids[1], ids[2]: ids[1]}, ""},
		{"split a member", func() error { _, err := c.Split(ctx, ids[2], "", "值班员"); return err },
			map[string]string{ids[1]: ids[1], ids[2]: ids[2]}, ""},
		{"split alone", func() error { _, err := c.Split(ctx, ids[3], "", "值班员"); return err }, nil, "无需拆分"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if tt.errText != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for id, want := range tt.caseOf {
				v, err := c.Case(ctx, id)
				if err != nil || v.CaseID != want {
					t.Fatalf("case of %s = %q, %v; want %q", id, v.CaseID, err, want)
				}
			}
		})
	}
	if rep, _ := c.Store.VerifyAudit(ctx); !rep.OK || rep.Entries != base.Entries+4 {
		t.Fatalf("audit = %+v; want auto-join, merge and two splits", rep)
	}
}

func TestPersonKey(t *testing.T) {
	tests := []struct{ author, body, want string }{
		{"A00012345", "路灯不亮", "id:A00012345"},
		{"匿名", "请联系我13912345678谢谢", "tel:13912345678"},
		{"张某某", "路灯不亮", ""},
		{"吴女士", "路灯不亮", ""},
		{"谢**", "路灯不亮", ""},
		{"", "订单号 213912345678901", ""},
		{"王先生 13800138000", "x", "tel:13800138000"},
	}
	for _, tt := range tests {
		t.Run(tt.author+tt.body, func(t *testing.T) {
			r := &domain.Record{Item: domain.Item{Author: tt.author, Body: tt.body}}
			if got := personKey(r); got != tt.want {
				t.Fatalf("personKey = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDeadlinesAndReminders(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	ids := mustIngest(t, c, item("1", "路灯不亮", "麦地路路灯连续一周不亮"), item("2", "井盖缺失", "下埔路井盖缺失，有安全隐患"))
	if _, err := c.Act(ctx, ids[1], "不予受理", "", "非本市事项", "值班员"); err != nil {
		t.Fatal(err)
	}
	r, _ := c.Store.Get(ctx, ids[0])
	later := r.Due.Add(36 * time.Hour)
	tests := []struct {
		name     string
		now      time.Time
		kind     string
		want     int
		reminded int
	}{
		{"fresh: due soon", fixedNow, DeadlineDueSoon, 1, 0},
		{"fresh: not overdue", fixedNow, DeadlineOverdue, 0, 0},
		{"after the deadline", later, DeadlineOverdue, 1, 1},
		{"reminded once only", later.Add(time.Hour), DeadlineOverdue, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.Now = func() time.Time { return tt.now }
			p, err := c.Deadlines(ctx, DeadlineQuery{Kind: tt.kind})
			if err != nil || p.Total != tt.want {
				t.Fatalf("%s = %+v, %v", tt.kind, p, err)
			}
			if tt.want > 0 && (p.Items[0].ID != ids[0] || p.Items[0].Due == "") {
				t.Fatalf("rows = %+v", p.Items)
			}
			n, err := c.RunReminders(ctx)
			if err != nil || n != tt.reminded {
				t.Fatalf("reminders = %d, %v; want %d", n, err, tt.reminded)
			}
		})
	}
	r, _ = c.Store.Get(ctx, ids[0])
	if last := r.Events[len(r.Events)-1]; last.Action != casework.ActRemind || last.Actor != casework.SystemActor {
		t.Fatalf("last event = %+v", last)
	}
	if _, err := c.Deadlines(ctx, DeadlineQuery{Kind: "全部"}); err == nil {
		t.Fatal("unknown deadline view accepted")
	}
}
