package app

import (
	"context"
	"errors"
	"testing"
)

func TestSavedSearchCountsNewResults(t *testing.T) {
	ctx := context.Background()
	c := mustCore(t)
	mustIngest(t, c, exportItems()...)
	a := NewApp(c, context.Background)
	v, err := a.SaveSearch(" 渣土车 ", SearchQuery{Query: "渣土车", Offset: 40})
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "渣土车" || v.Total != 2 || v.New != 0 || v.Query.Offset != 0 {
		t.Fatalf("saved = %+v", v)
	}
	mustIngest(t, c, item("e4", "渣土车又来了", "麦地路渣土车凌晨抛洒。"), item("e5", "路灯不亮", "文昌一路路灯坏了。"))
	list, err := a.SavedSearches()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Total != 3 || list[0].New != 1 {
		t.Fatalf("list = %+v, want one search with 3 matches, 1 new", list)
	}
	res, err := a.OpenSavedSearch("渣土车")
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 3 {
		t.Fatalf("opened search found %d, want 3", res.Total)
	}
	list, _ = a.SavedSearches()
	if list[0].New != 0 || list[0].LastOpened == "" {
		t.Fatalf("after opening: %+v", list[0])
	}
	// Personal: another officer does not see it.
	if other, err := c.SavedSearches(ctx, "另一位"); err != nil || len(other) != 0 {
		t.Fatalf("other officer's list = %v, %v", other, err)
	}
	if _, err := a.DeleteSavedSearch("渣土车"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteSavedSearch(ctx, actor, "渣土车"); !errors.Is(err, ErrSavedNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := a.OpenSavedSearch("渣土车"); err == nil {
		t.Fatal("opened a deleted search")
	}
}

func TestSaveSearchValidates(t *testing.T) {
	c := mustCore(t)
	tests := []struct {
		name string
		q    SearchQuery
	}{
		{"", SearchQuery{}},
		{"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一", SearchQuery{}},
		{"坏日期", SearchQuery{Since: "昨天"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.SaveSearch(context.Background(), actor, tt.name, tt.q); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	c := mustCore(t)
	mustIngest(t, c, exportItems()...)
	a := NewApp(c, context.Background)
	tests := []struct {
		in, want string
	}{
		{"江北", "江北街道"},      // gazetteer
		{"渣土", "渣土车"},       // matter type of the stored messages
		{"城管 渣土", "城管 渣土车"}, // completes the last word, keeps the rest
		{"-渣土", "-渣土车"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := a.Suggest(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, g := range got {
				found = found || g == tt.want
			}
			if !found || len(got) > maxSuggestions {
				t.Fatalf("Suggest(%q) = %q, want it to offer %q", tt.in, got, tt.want)
			}
		})
	}
	if got, _ := a.Suggest("  "); len(got) != 0 {
		t.Errorf("blank prefix suggests %q", got)
	}
}
