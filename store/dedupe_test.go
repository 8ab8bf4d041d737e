package store

import (
	"context"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"minyi/domain"
)

// TestDedupeSurvivesReopen: the in-memory table is rebuilt from the dedupe bucket.
func TestDedupeSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "minyi.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(ctx, []*domain.Record{rec("a", "1", "h1", "渣土车"), rec("b", "", "h2", "油烟")}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tt := range []struct{ source, sid, hash, want string }{
		{"a", "1", "new", "M000001"},
		{"x", "", "h2", "M000002"},
		{"b", "1", "h9", ""},
	} {
		id, dup, err := s.Lookup(ctx, tt.source, tt.sid, tt.hash)
		if err != nil || id != tt.want || dup != (tt.want != "") {
			t.Errorf("Lookup(%q, %q, %q) = %q, %v, %v; want %q", tt.source, tt.sid, tt.hash, id, dup, err, tt.want)
		}
	}
}

// TestDedupeMigratesOldBuckets opens a store written before the dedupe bucket, with its
// buckets keyed by content hash and by source id, and finds its records' duplicates.
func TestDedupeMigratesOldBuckets(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "minyi.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(ctx, []*domain.Record{rec("a", "1", "h1", "渣土车"), rec("a", "2", "h2", "油烟"), rec("b", "", "h3", "噪音")}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Rewrite the file as the older program left it.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketDedupe); err != nil {
			return err
		}
		hashes, _ := tx.CreateBucket(bucketHashes)
		srcIDs, _ := tx.CreateBucket(bucketSourceIDs)
		for _, kv := range [][2]string{{"h1", "M000001"}, {"h2", "M000002"}, {"h3", "M000003"}} {
			hashes.Put([]byte(kv[0]), []byte(kv[1]))
		}
		srcIDs.Put([]byte("a\x001"), []byte("M000001"))
		return srcIDs.Put([]byte("a\x002"), []byte("M000002"))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Add(ctx, []*domain.Record{rec("a", "2", "new", "x"), rec("c", "", "h3", "y"), rec("a", "3", "h4", "z")})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].DuplicateOf != "M000002" || got[1].DuplicateOf != "M000003" || got[2].Duplicate || got[2].ID != "M000004" {
		t.Fatalf("after migration Add = %+v", got)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketHashes) != nil || tx.Bucket(bucketSourceIDs) != nil {
			t.Error("the old buckets are still there")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDedupeShortDigestClash: when another record has claimed a digest's first 8 bytes, the
// full digest stored with that record tells them apart, so a new item is never taken for a
// duplicate.
func TestDedupeShortDigestClash(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if _, err := s.Add(ctx, []*domain.Record{rec("a", "1", "h1", "渣土车")}); err != nil {
		t.Fatal(err)
	}
	// Let record 1 claim the short digests of the next item's source id and content hash.
	ds := digestsOf("b", "7", "h2")
	if err := s.ensureDedupe(); err != nil {
		t.Fatal(err)
	}
	var clash dedupeTable
	clash.add(ds.source.short(), 1)
	clash.add(ds.content.short(), 1)
	s.dedupe.addAll(&clash)
	if id, dup, _ := s.Lookup(ctx, "b", "7", "h2"); dup {
		t.Fatalf("Lookup took a new item for a duplicate of %s", id)
	}
	got, err := s.Add(ctx, []*domain.Record{rec("b", "7", "h2", "油烟"), rec("b", "7", "h2", "油烟")})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Duplicate || got[0].ID != "M000002" {
		t.Fatalf("new item = %+v", got[0])
	}
	// Within one Add the clash is resolved by the call's own entries.
	if !got[1].Duplicate || got[1].DuplicateOf != "M000002" {
		t.Fatalf("its copy in the same batch = %+v", got[1])
	}
}
