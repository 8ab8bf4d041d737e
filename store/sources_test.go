package store

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

func TestUpdateDocReadsChangesAndDeletes(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	bump := func(old []byte) ([]byte, error) {
		var n int
		if old != nil {
			if err := json.Unmarshal(old, &n); err != nil {
				return nil, err
			}
		}
		return json.Marshal(n + 1)
	}
	for range 3 {
		if err := s.UpdateDoc(ctx, "counter", bump); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if ok, err := s.GetDoc(ctx, "counter", &n); err != nil || !ok || n != 3 {
		t.Fatalf("counter = %d, %v, %v; want 3", n, ok, err)
	}
	boom := errors.New("boom")
	if err := s.UpdateDoc(ctx, "counter", func([]byte) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("failing update returned %v", err)
	}
	if _, err := s.GetDoc(ctx, "counter", &n); err != nil || n != 3 {
		t.Fatalf("failed update changed the document: %d, %v", n, err)
	}
	if err := s.UpdateDoc(ctx, "counter", func([]byte) ([]byte, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.GetDoc(ctx, "counter", &n); err != nil || ok {
		t.Fatalf("document survives a nil update: ok=%v err=%v", ok, err)
	}
}

func TestPutDocsAndDeleteDoc(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if err := s.PutDocs(ctx, map[string]any{"a": 1, "b": "二"}); err != nil {
		t.Fatal(err)
	}
	var a int
	var b string
	if ok, _ := s.GetDoc(ctx, "a", &a); !ok || a != 1 {
		t.Fatalf("a = %d, %v", a, ok)
	}
	if ok, _ := s.GetDoc(ctx, "b", &b); !ok || b != "二" {
		t.Fatalf("b = %q, %v", b, ok)
	}
	if err := s.DeleteDoc(ctx, "a", "b", "never-stored"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		var v any
		if ok, err := s.GetDoc(ctx, name, &v); ok || err != nil {
			t.Fatalf("%s still present after delete (err %v)", name, err)
		}
	}
	if err := s.PutDocs(ctx, map[string]any{"bad": func() {}}); err == nil {
		t.Fatal("PutDocs accepted a value JSON cannot encode")
	}
}
