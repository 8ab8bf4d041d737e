package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	bolt "go.etcd.io/bbolt"

	"minyi/domain"
)

var auditNow = time.Date(2026, 11, 20, 10, 0, 0, 0, cst)

// mustChain opens a store with three records and five audit entries: four record updates and one
// import batch, so every test starts from a valid chain.
func mustChain(tb testing.TB) *Store {
	tb.Helper()
	ctx := context.Background()
	s := mustOpen(tb)
	if _, err := s.Add(ctx, []*domain.Record{rec("a", "1", "h1", "渣土车"), rec("a", "2", "h2", "油烟"), rec("a", "3", "h3", "噪音")}); err != nil {
		tb.Fatal(err)
	}
	if _, err := s.AppendAudit(ctx, AuditEntry{Time: auditNow, Actor: "系统", Action: "导入", Detail: "导入 3 条"}); err != nil {
		tb.Fatal(err)
	}
	steps := []struct{ id, action, status, dept string }{
		{"M000001", "受理", domain.StatusAccepted, ""},
		{"M000001", "派单", domain.StatusDispatched, "惠城区城管执法分局"},
		{"M000002", "受理", domain.StatusAccepted, ""},
		{"M000003", "不予受理", domain.StatusRejected, ""},
	}
	for i, st := range steps {
		e := AuditEntry{Time: auditNow.Add(time.Duration(i) * time.Minute), Actor: "值班员", Action: st.action, Reason: "测试"}
		if _, err := s.UpdateAudited(ctx, st.id, e, func(r *domain.Record) error {
			r.Status = st.status
			if st.dept != "" {
				r.Department = st.dept
			}
			return nil
		}); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}

func TestAuditChainRecordsBeforeAndAfter(t *testing.T) {
	ctx := context.Background()
	s := mustChain(t)
	rep, err := s.VerifyAudit(ctx)
	if err != nil || !rep.OK || rep.Entries != 5 || rep.HeadSeq != 5 {
		t.Fatalf("verify intact chain = %+v, %v", rep, err)
	}
	var entries []AuditEntry
	if err := s.ScanAudit(ctx, 0, func(e AuditEntry) error { entries = append(entries, e); return nil }); err != nil {
		t.Fatal(err)
	}
	dispatch := entries[2]
	want := AuditChange{ID: "M000001", Before: AuditState{Status: domain.StatusAccepted, CaseID: "M000001"},
		After: AuditState{Status: domain.StatusDispatched, Department: "惠城区城管执法分局", CaseID: "M000001"}}
	if dispatch.Action != "派单" || len(dispatch.Changes) != 1 || dispatch.Changes[0] != want {
		t.Fatalf("派单 entry = %+v", dispatch)
	}
	if entries[0].Prev != "" || entries[1].Prev != entries[0].Hash || rep.HeadHash != entries[4].Hash {
		t.Fatal("entries are not linked by hash")
	}
}

func TestUpdateAuditedFailureWritesNothing(t *testing.T) {
	ctx := context.Background()
	s := mustChain(t)
	boom := errors.New("非法操作")
	_, err := s.UpdateAudited(ctx, "M000002", AuditEntry{Actor: "值班员", Action: "办结"}, func(r *domain.Record) error {
		r.Status = domain.StatusClosed
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if _, err := s.UpdateAudited(ctx, "M999999", AuditEntry{Action: "受理"}, func(*domain.Record) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing record err = %v", err)
	}
	r, _ := s.Get(ctx, "M000002")
	rep, _ := s.VerifyAudit(ctx)
	if r.Status != domain.StatusAccepted || rep.Entries != 5 || !rep.OK {
		t.Fatalf("after failed updates: status %s, %+v", r.Status, rep)
	}
}

// TestVerifyAuditCatchesTampering edits the database behind the store's back, as someone with the
// file and a bbolt tool could, and checks that verification names the first bad entry.
func TestVerifyAuditCatchesTampering(t *testing.T) {
	edit := func(fn func(b *bolt.Bucket, meta *bolt.Bucket) error) func(*Store) error {
		return func(s *Store) error {
			return s.db.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket(bucketAudit), tx.Bucket(bucketMeta)) })
		}
	}
	rewrite := func(seq uint64, change func(*AuditEntry), rehash bool) func(*Store) error {
		return edit(func(b, _ *bolt.Bucket) error {
			var e AuditEntry
			if err := json.Unmarshal(b.Get(u64(seq)), &e); err != nil {
				return err
			}
			change(&e)
			if rehash {
				e.Hash, _ = e.computeHash()
			}
			buf, _ := json.Marshal(e)
			return b.Put(u64(seq), buf)
		})
	}
	tests := []struct {
		name    string
		tamper  func(*Store) error
		bad     uint64
		problem string
	}{
		{"altered bytes of an entry", edit(func(b, _ *bolt.Bucket) error {
			v := bytes.Replace(b.Get(u64(3)), []byte("惠城区城管执法分局"), []byte("惠阳区城管执法分局"), 1)
			return b.Put(u64(3), v)
		}), 3, "被改动"},
		{"garbled entry", edit(func(b, _ *bolt.Bucket) error { return b.Put(u64(2), []byte("{not json")) }), 2, "无法读取"},
		{"altered actor and recomputed its hash", rewrite(2, func(e *AuditEntry) { e.Actor = "他人" }, true), 3, "不衔接"},
		{"altered reason", rewrite(4, func(e *AuditEntry) { e.Reason = "改过的原因" }, false), 4, "被改动"},
		{"deleted middle entry", edit(func(b, _ *bolt.Bucket) error { return b.Delete(u64(3)) }), 3, "缺失"},
		{"deleted first entry", edit(func(b, _ *bolt.Bucket) error { return b.Delete(u64(1)) }), 1, "缺失"},
		{"deleted last entry", edit(func(b, _ *bolt.Bucket) error { return b.Delete(u64(5)) }), 5, "最新的记录被删除"},
		{"deleted last two entries", edit(func(b, _ *bolt.Bucket) error {
			b.Delete(u64(5))
			return b.Delete(u64(4))
		}), 4, "第 4 至 5 条"},
		{"deleted head", edit(func(_, meta *bolt.Bucket) error { return meta.Delete(keyAuditHd) }), 5, "链头缺失"},
		{"deleted whole chain", func(s *Store) error {
			return s.db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketAudit) })
		}, 1, "缺失"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustChain(t)
			if err := tt.tamper(s); err != nil {
				t.Fatal(err)
			}
			rep, err := s.VerifyAudit(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK || rep.BadSeq != tt.bad || !strings.Contains(rep.Problem, tt.problem) {
				t.Fatalf("verify = %+v, want entry %d with %q", rep, tt.bad, tt.problem)
			}
		})
	}
}

func TestCaseMembersFollowCaseID(t *testing.T) {
	ctx := context.Background()
	s := mustChain(t)
	join := func(caseID string) func(*domain.Record) error {
		return func(r *domain.Record) error { r.CaseID = caseID; return nil }
	}
	if _, err := s.UpdateManyAudited(ctx, []string{"M000002", "M000003"}, AuditEntry{Actor: "值班员", Action: "合并"}, join("M000001")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		do   func() error
		want map[string][]string
	}{
		{"merged", func() error { return nil }, map[string][]string{"M000001": {"M000001", "M000002", "M000003"}, "M000002": {"M000002"}}},
		{"split one off", func() error {
			_, err := s.UpdateAudited(ctx, "M000003", AuditEntry{Action: "拆分"}, join("M000003"))
			return err
		}, map[string][]string{"M000001": {"M000001", "M000002"}, "M000003": {"M000003"}}},
		{"empty case id means itself", func() error {
			_, err := s.UpdateAudited(ctx, "M000002", AuditEntry{Action: "拆分"}, join(""))
			return err
		}, map[string][]string{"M000001": {"M000001"}, "M000002": {"M000002"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.do(); err != nil {
				t.Fatal(err)
			}
			for c, want := range tt.want {
				got, err := s.CaseMembers(ctx, c)
				if err != nil || strings.Join(got, ",") != strings.Join(want, ",") {
					t.Fatalf("members of %s = %v, %v; want %v", c, got, err, want)
				}
			}
		})
	}
	if rep, _ := s.VerifyAudit(ctx); !rep.OK || rep.Entries != 8 {
		t.Fatalf("chain after merges = %+v", rep)
	}
}

func TestWriteAuditXLSX(t *testing.T) {
	ctx := context.Background()
	s := mustChain(t)
	var buf bytes.Buffer
	n, err := s.WriteAuditXLSX(ctx, &buf)
	if err != nil || n != 5 {
		t.Fatalf("export = %d, %v", n, err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("审计记录")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 || rows[0][0] != "序号" || rows[0][3] != "操作" {
		t.Fatalf("rows = %v", rows)
	}
	if got := rows[3]; got[3] != "派单" || got[4] != "M000001" || got[8] != "惠城区城管执法分局" || got[1] != "2026-11-20 10:01:00" {
		t.Fatalf("派单 row = %v", got)
	}
}

func BenchmarkUpdateAudited(b *testing.B) {
	ctx := context.Background()
	s := mustOpen(b)
	if _, err := s.Add(ctx, []*domain.Record{rec("a", "1", "h1", "渣土车")}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.UpdateAudited(ctx, "M000001", AuditEntry{Actor: "值班员", Action: "督办"}, func(r *domain.Record) error {
			r.Events = r.Events[:0]
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}
