package route

import (
	"bytes"
	"compress/flate"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"sort"

	"minyi/learn"
)

// ErrBadModelFile means bytes given to UnmarshalBinary are not a saved router.
var ErrBadModelFile = errors.New("派单模型文件无效")

// routerMagic starts a saved router so that a wrong file is refused with a clear error.
const routerMagic = "MNYR1"

// savedRouter is what MarshalBinary keeps: everything learned, not the directory or rules (those
// are configuration the app loads separately).
type savedRouter struct {
	Names   []string
	Model   []byte
	Hier    [3][]byte // unit type, district and street models (hierModel); empty when not trained
	Labels  []string
	Docs    [][]int32
	Vocab   []string // feature by id: a slice, so equal routers save to equal bytes
	Returns []returnCount
}

// returnCount is one 退单 table entry.
type returnCount struct {
	Key    string
	N      int
	Reason string
}

// MarshalBinary saves the learned model, the similar-case index and the 退单 table.
func (r *Router) MarshalBinary() ([]byte, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s := savedRouter{Names: r.names}
	for k, n := range r.returns {
		s.Returns = append(s.Returns, returnCount{Key: k, N: n, Reason: r.why[k]})
	}
	sort.Slice(s.Returns, func(i, j int) bool { return s.Returns[i].Key < s.Returns[j].Key })
	if r.model != nil {
		b, err := r.model.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("marshal router model: %w", err)
		}
		s.Model = b
	}
	if r.hier != nil {
		for i, m := range r.hier.models() {
			if m == nil {
				continue
			}
			b, err := m.MarshalBinary()
			if err != nil {
				return nil, fmt.Errorf("marshal router hierarchy: %w", err)
			}
			s.Hier[i] = b
		}
	}
	if r.knn != nil {
		s.Labels, s.Docs = r.knn.Labels, r.knn.Docs
		s.Vocab = make([]string, len(r.knn.Vocab))
		for f, id := range r.knn.Vocab {
			s.Vocab[id] = f
		}
	}
	var buf bytes.Buffer
	buf.WriteString(routerMagic)
	zw, err := flate.NewWriter(&buf, flate.BestSpeed)
	if err != nil {
		return nil, fmt.Errorf("compress router: %w", err)
	}
	if err := gob.NewEncoder(zw).Encode(&s); err != nil {
		return nil, fmt.Errorf("encode router: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress router: %w", err)
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary restores what MarshalBinary saved into a router made by New (which supplies the
// directory, rules and options).
func (r *Router) UnmarshalBinary(b []byte) error {
	if !bytes.HasPrefix(b, []byte(routerMagic)) {
		return ErrBadModelFile
	}
	var s savedRouter
	zr := flate.NewReader(bytes.NewReader(b[len(routerMagic):]))
	defer zr.Close()
	if err := gob.NewDecoder(io.LimitReader(zr, 1<<30)).Decode(&s); err != nil {
		return fmt.Errorf("%w: %v", ErrBadModelFile, err)
	}
	var model *learn.Model
	if len(s.Model) > 0 {
		model = new(learn.Model)
		if err := model.UnmarshalBinary(s.Model); err != nil {
			return fmt.Errorf("%w: %v", ErrBadModelFile, err)
		}
	}
	var hier *hierModel
	if len(s.Hier[0]) > 0 {
		hier = &hierModel{}
		for i, dst := range hier.modelPtrs() {
			if len(s.Hier[i]) == 0 {
				continue
			}
			m := new(learn.Model)
			if err := m.UnmarshalBinary(s.Hier[i]); err != nil {
				return fmt.Errorf("%w: %v", ErrBadModelFile, err)
			}
			*dst = m
		}
		hier.index(s.Names)
	}
	var knn *knnIndex
	if len(s.Docs) > 0 {
		if len(s.Labels) != len(s.Docs) {
			return fmt.Errorf("%w: %d labels for %d documents", ErrBadModelFile, len(s.Labels), len(s.Docs))
		}
		for _, d := range s.Docs {
			for _, id := range d {
				if id < 0 || int(id) >= len(s.Vocab) {
					return fmt.Errorf("%w: feature id %d out of range", ErrBadModelFile, id)
				}
			}
		}
		vocab := make(map[string]int32, len(s.Vocab))
		for id, f := range s.Vocab {
			vocab[f] = int32(id)
		}
		if len(vocab) != len(s.Vocab) {
			return fmt.Errorf("%w: duplicate features", ErrBadModelFile)
		}
		knn = &knnIndex{Labels: s.Labels, Docs: s.Docs, Vocab: vocab}
		knn.build()
	}
	returns := make(map[string]int, len(s.Returns))
	why := make(map[string]string, len(s.Returns))
	for _, rc := range s.Returns {
		returns[rc.Key] = rc.N
		if rc.Reason != "" {
			why[rc.Key] = rc.Reason
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setNames(s.Names)
	r.model, r.hier, r.knn, r.returns, r.why = model, hier, knn, returns, why
	r.setPrior(s.Labels)
	r.days = newDayIndex(knnDays(knn), s.Labels, r.keys)
	return nil
}
