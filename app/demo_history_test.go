package app

import (
	"context"
	"testing"

	"minyi/domain"
	"minyi/route"
)

// TestLoadDemoSeedsCaseHistory checks that a fresh demo looks like a working inbox: cases in
// several states, closed ones with a 回访, every step in an intact audit chain, and a second load
// changing nothing.
func TestLoadDemoSeedsCaseHistory(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	c.Router = route.New(route.DefaultDirectory(), route.DefaultRules()) // history dispatches to suggestions
	res, err := c.LoadDemo(ctx)
	if err != nil || res.New < 300 {
		t.Fatalf("LoadDemo = %+v, %v", res, err)
	}
	counts := map[string]int{}
	visited := 0
	err = c.Store.Scan(ctx, 0, func(r *domain.Record) error {
		counts[r.Status]++
		for _, e := range r.Events {
			if e.Action == "回访" {
				visited++
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{domain.StatusNew, domain.StatusClosed, domain.StatusHandling} {
		if counts[st] == 0 {
			t.Errorf("no demo case is %s: %v", st, counts)
		}
	}
	if visited < counts[domain.StatusClosed] {
		t.Errorf("%d closed cases but only %d with a 回访", counts[domain.StatusClosed], visited)
	}
	rep, err := c.Store.VerifyAudit(ctx)
	if err != nil || !rep.OK {
		t.Fatalf("audit after seeding: %+v, %v", rep, err)
	}
	idx, err := c.Search(ctx, SearchQuery{Status: domain.StatusClosed})
	if err != nil || idx.Total != counts[domain.StatusClosed] {
		t.Fatalf("index knows %d closed cases, store %d (%v)", idx.Total, counts[domain.StatusClosed], err)
	}
	again, err := c.LoadDemo(ctx)
	if err != nil || again.New != 0 {
		t.Fatalf("second LoadDemo = %+v, %v", again, err)
	}
	if rep2, _ := c.Store.VerifyAudit(ctx); rep2.Entries != rep.Entries {
		t.Fatalf("second load added %d audit entries", rep2.Entries-rep.Entries)
	}
}
