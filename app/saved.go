package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrSavedName means a saved search's name is empty or too long.
var ErrSavedName = errors.New("检索名称不能为空，且不超过 40 个字")

// ErrSavedNotFound means no saved search has the requested name.
var ErrSavedNotFound = errors.New("没有这个已保存的检索")

// ErrSavedFull means the officer already keeps maxSaved searches.
var ErrSavedFull = errors.New("已保存的检索太多，请先删除不用的")

// maxSaved bounds one officer's saved searches, so the list stays a list.
const maxSaved = 100

// SavedSearchView is one saved search as the 检索 screen lists it.
type SavedSearchView struct {
	Name       string      `json:"name"`
	Query      SearchQuery `json:"query"`
	Created    string      `json:"created"`               // RFC 3339
	LastOpened string      `json:"last_opened,omitempty"` // RFC 3339
	Total      int         `json:"total"`                 // matches now
	New        int         `json:"new"`                   // matches added since it was last opened
}

// savedSearch is how a saved search is stored: the query and what it matched when last opened.
type savedSearch struct {
	Name       string      `json:"name"`
	Query      SearchQuery `json:"query"`
	Created    time.Time   `json:"created"`
	LastOpened time.Time   `json:"last_opened,omitzero"`
	SeenTotal  int         `json:"seen_total"` // Total when last opened (or saved)
}

// savedDoc names the store document holding an officer's saved searches: they are personal.
func savedDoc(officer string) string { return "saved-searches/" + officer }

func (c *Core) loadSaved(ctx context.Context, officer string) ([]savedSearch, error) {
	var list []savedSearch
	if _, err := c.Store.GetDoc(ctx, savedDoc(officer), &list); err != nil {
		return nil, fmt.Errorf("read saved searches: %w", err)
	}
	return list, nil
}

// updateSaved changes an officer's saved searches in one store transaction.
func (c *Core) updateSaved(ctx context.Context, officer string, fn func([]savedSearch) ([]savedSearch, error)) error {
	return c.Store.UpdateDoc(ctx, savedDoc(officer), func(old []byte) ([]byte, error) {
		var list []savedSearch
		if old != nil {
			if err := json.Unmarshal(old, &list); err != nil {
				return nil, fmt.Errorf("decode saved searches: %w", err)
			}
		}
		list, err := fn(list)
		if err != nil {
			return nil, err
		}
		return json.Marshal(list)
	})
}

// countMatches is how many records q matches now (one unsorted count, no page).
func (c *Core) countMatches(ctx context.Context, q SearchQuery) (int, error) {
	iq, err := toIndexQuery(q)
	if err != nil {
		return 0, err
	}
	iq.Limit, iq.Offset, iq.Sort, iq.Facets, iq.Highlight = 1, 0, "", false, false
	res, err := c.Index.Search(ctx, iq)
	if err != nil {
		return 0, err
	}
	return int(res.Total), nil
}

func (s savedSearch) view(total int) SavedSearchView {
	v := SavedSearchView{Name: s.Name, Query: s.Query, Created: s.Created.In(cst).Format(time.RFC3339),
		Total: total, New: max(0, total-s.SeenTotal)}
	if !s.LastOpened.IsZero() {
		v.LastOpened = s.LastOpened.In(cst).Format(time.RFC3339)
	}
	return v
}

// SavedSearches lists an officer's saved searches in the order saved, each with how many new
// matches it has since the officer last opened it. "New" counts growth of the result set, so
// messages imported with old dates count as new too: they are new to the officer.
func (c *Core) SavedSearches(ctx context.Context, officer string) ([]SavedSearchView, error) {
	list, err := c.loadSaved(ctx, officer)
	if err != nil {
		return nil, err
	}
	out := make([]SavedSearchView, 0, len(list))
	for _, s := range list {
		total, err := c.countMatches(ctx, s.Query)
		if err != nil {
			return nil, fmt.Errorf("count saved search %q: %w", s.Name, err)
		}
		out = append(out, s.view(total))
	}
	return out, nil
}

// SaveSearch saves q under name (replacing a search of that name); what it matches now counts
// as seen.
func (c *Core) SaveSearch(ctx context.Context, officer, name string, q SearchQuery) (SavedSearchView, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 40 {
		return SavedSearchView{}, ErrSavedName
	}
	q.Offset = 0 // a saved search opens at its first page
	total, err := c.countMatches(ctx, q)
	if err != nil {
		return SavedSearchView{}, err
	}
	s := savedSearch{Name: name, Query: q, Created: c.Now(), SeenTotal: total}
	err = c.updateSaved(ctx, officer, func(list []savedSearch) ([]savedSearch, error) {
		for i := range list {
			if list[i].Name == name {
				s.Created = list[i].Created
				list[i] = s
				return list, nil
			}
		}
		if len(list) >= maxSaved {
			return nil, ErrSavedFull
		}
		return append(list, s), nil
	})
	if err != nil {
		return SavedSearchView{}, err
	}
	return s.view(total), nil
}

// DeleteSavedSearch removes an officer's saved search.
func (c *Core) DeleteSavedSearch(ctx context.Context, officer, name string) error {
	return c.updateSaved(ctx, officer, func(list []savedSearch) ([]savedSearch, error) {
		for i := range list {
			if list[i].Name == name {
				return append(list[:i], list[i+1:]...), nil
			}
		}
		return nil, fmt.Errorf("%q: %w", name, ErrSavedNotFound)
	})
}

// OpenSavedSearch runs a saved search and marks its current matches as seen.
func (c *Core) OpenSavedSearch(ctx context.Context, officer, name string) (SearchResult, error) {
	list, err := c.loadSaved(ctx, officer)
	if err != nil {
		return SearchResult{}, err
	}
	var q *SearchQuery
	for i := range list {
		if list[i].Name == name {
			q = &list[i].Query
		}
	}
	if q == nil {
		return SearchResult{}, fmt.Errorf("%q: %w", name, ErrSavedNotFound)
	}
	res, err := c.Search(ctx, *q)
	if err != nil {
		return SearchResult{}, err
	}
	now := c.Now()
	err = c.updateSaved(ctx, officer, func(list []savedSearch) ([]savedSearch, error) {
		for i := range list {
			if list[i].Name == name {
				list[i].LastOpened, list[i].SeenTotal = now, res.Total
			}
		}
		return list, nil
	})
	return res, err
}
