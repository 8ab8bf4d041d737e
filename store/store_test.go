package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"minyi/domain"
)

func mustOpen(tb testing.TB) *Store {
	tb.Helper()
	s, err := Open(context.Background(), filepath.Join(tb.TempDir(), "minyi.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func rec(source, sid, hash, title string) *domain.Record {
	return &domain.Record{Hash: hash, Status: domain.StatusNew, Item: domain.Item{Source: source, SourceID: sid, Title: title, Time: time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)}}
}

func TestAddDedupes(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	first, err := s.Add(ctx, []*domain.Record{rec("a", "1", "h1", "渣土车"), rec("a", "2", "h2", "油烟")})
	if err != nil {
		t.Fatal(err)
	}
	if first[0].ID != "M000001" || first[1].ID != "M000002" || first[0].Duplicate {
		t.Fatalf("first add = %+v", first)
	}
	tests := []struct {
		name string
		r    *domain.Record
		dup  string
	}{
		{"same source id", rec("a", "1", "other", "x"), "M000001"},
		{"same hash other source", rec("b", "9", "h2", "y"), "M000002"},
		{"same id other source is new", rec("b", "1", "h3", "z"), ""},
		{"no source id, new hash", rec("a", "", "h4", "w"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Add(ctx, []*domain.Record{tt.r})
			if err != nil {
				t.Fatal(err)
			}
			if got[0].Duplicate != (tt.dup != "") || (tt.dup != "" && got[0].DuplicateOf != tt.dup) {
				t.Fatalf("got %+v, want duplicate of %q", got[0], tt.dup)
			}
		})
	}
	if n, _ := s.Count(ctx); n != 4 {
		t.Fatalf("count = %d, want 4", n)
	}
	if id, ok, _ := s.Lookup(ctx, "a", "2", ""); !ok || id != "M000002" {
		t.Fatalf("lookup = %q %v", id, ok)
	}
}

func TestGetUpdateScan(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	var recs []*domain.Record
	for i := 0; i < 5; i++ {
		recs = append(recs, rec("a", fmt.Sprint(i), fmt.Sprint("h", i), fmt.Sprint("标题", i)))
	}
	if _, err := s.Add(ctx, recs); err != nil {
		t.Fatal(err)
	}
	r, err := s.Get(ctx, "M000003")
	if err != nil || r.Title != "标题2" || r.Seq != 3 {
		t.Fatalf("get = %+v, %v", r, err)
	}
	if _, err := s.Get(ctx, "M999999"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing get err = %v", err)
	}
	boom := errors.New("boom")
	if _, err := s.Update(ctx, "M000003", func(r *domain.Record) error { r.Status = domain.StatusClosed; return boom }); !errors.Is(err, boom) {
		t.Fatalf("update err = %v", err)
	}
	if r, _ := s.Get(ctx, "M000003"); r.Status != domain.StatusNew {
		t.Fatal("failed update was committed")
	}
	if _, err := s.Update(ctx, "M000003", func(r *domain.Record) error { r.Status = domain.StatusClosed; return nil }); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Get(ctx, "M000003"); r.Status != domain.StatusClosed {
		t.Fatal("update lost")
	}
	var seqs []uint64
	if err := s.Scan(ctx, 2, func(r *domain.Record) error { seqs = append(seqs, r.Seq); return nil }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(seqs) != "[3 4 5]" {
		t.Fatalf("scan after 2 = %v", seqs)
	}
	var newest []string
	s.ScanNewest(ctx, func(r *domain.Record) bool { newest = append(newest, r.ID); return len(newest) < 2 })
	if fmt.Sprint(newest) != "[M000005 M000004]" {
		t.Fatalf("newest = %v", newest)
	}
}

func TestSecondOpenFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "minyi.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = Open(context.Background(), path)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open err = %v, want ErrLocked", err)
	}
}

func TestBackupValidate(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if _, err := s.Add(ctx, []*domain.Record{rec("a", "1", "h1", "x"), rec("a", "2", "h2", "y")}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutDoc(ctx, "settings", map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "backup.db")
	if _, err := s.BackupFile(ctx, out); err != nil {
		t.Fatal(err)
	}
	n, err := Validate(ctx, out)
	if err != nil || n != 2 {
		t.Fatalf("validate = %d, %v", n, err)
	}
	b, err := Open(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var m map[string]string
	if ok, err := b.GetDoc(ctx, "settings", &m); !ok || err != nil || m["k"] != "v" {
		t.Fatalf("doc in backup = %v %v %v", m, ok, err)
	}
	if _, err := Validate(ctx, filepath.Join(t.TempDir(), "nope.db")); err == nil {
		t.Fatal("validate of a missing file succeeded")
	}
}
