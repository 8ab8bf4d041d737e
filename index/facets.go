package index

import (
	"github.com/RoaringBitmap/roaring/v2"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// facetPopcountCost is about how many code-column steps one intersection of a dense match set
// with one value's documents costs per 65,536 documents.
const facetPopcountCost = 200

// facetCol is one facet field of one segment: its values, each value's documents, and each
// document's value as a code (index+1 into values; 0 = none). Segments never change, so this is
// read once per segment; counting then costs no dictionary lookups.
type facetCol struct {
	values []string
	docs   []*roaring.Bitmap
	codes  []uint16 // nil when the field has more values than a code holds
}

// loadFacets reads every facet field's values and postings. Deleted documents stay in: the
// match bitmaps they are intersected with never contain them.
func (c *segCols) loadFacets(seg segment.Segment) error {
	n := seg.Count()
	for fi, f := range facetFields {
		d, err := seg.Dictionary(f.field)
		if err != nil {
			return err
		}
		fc := &c.facets[fi]
		it := d.AutomatonIterator(nil, nil, nil)
		for {
			de, err := it.Next()
			if err != nil {
				return err
			}
			if de == nil {
				break
			}
			pl, err := d.PostingsList([]byte(de.Term), nil, nil)
			if err != nil {
				return err
			}
			bm := roaring.New()
			if o, ok := pl.(orInto); ok {
				o.OrInto(bm) // a copy: the segment's memory may be unmapped while this lives
			} else {
				pi := pl.Iterator(false, false, false, nil)
				for p, err := pi.Next(); p != nil || err != nil; p, err = pi.Next() {
					if err != nil {
						return err
					}
					bm.Add(uint32(p.Number()))
				}
			}
			fc.values = append(fc.values, de.Term)
			fc.docs = append(fc.docs, bm)
		}
		if len(fc.values) < 1<<16-1 {
			fc.codes = make([]uint16, n)
			for vi, bm := range fc.docs {
				it := bm.Iterator()
				for it.HasNext() {
					if d := it.Next(); uint64(d) < n {
						fc.codes[d] = uint16(vi + 1)
					}
				}
			}
		}
	}
	return nil
}

// facetCounts counts, for every facet field, how many matches each value has: match by match
// through the code columns, or, for a field with few values and a dense match set, through the
// sizes of the intersections with each value's documents (a popcount per 65,536 documents and
// value, where the codes cost a step per match).
func facetCounts(sv *snapView, bms []*roaring.Bitmap) (map[string]map[string]int, error) {
	per := make([][len(facetFields)][]int, len(sv.segs)) // segment → field → value index → count
	err := eachSegment(len(sv.segs), func(i int) error {
		bm := bms[i]
		card := bm.GetCardinality()
		if card == 0 {
			return nil
		}
		cols := sv.segs[i].cols
		count := sv.segs[i].count
		dense := card*16 > count
		chunks := count>>16 + 1
		var byCode []int // fields counted through codes
		for fi := range facetFields {
			fc := &cols.facets[fi]
			counts := make([]int, len(fc.values)+1)
			per[i][fi] = counts
			if fc.codes != nil && (!dense || uint64(len(fc.values))*chunks*facetPopcountCost >= card) {
				byCode = append(byCode, fi)
				continue
			}
			for vi, vbm := range fc.docs {
				counts[vi+1] = int(bm.AndCardinality(vbm))
			}
		}
		if len(byCode) > 0 {
			buf := make([]uint32, 1024)
			it := bm.ManyIterator()
			for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
				for _, fi := range byCode {
					counts, codes := per[i][fi], cols.facets[fi].codes
					for _, d := range buf[:n] {
						counts[codes[d]]++
					}
				}
			}
		}
		for fi := range facetFields {
			per[i][fi] = per[i][fi][1:] // drop the "no value" count
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]int, len(facetFields))
	for fi, f := range facetFields {
		counts := map[string]int{}
		for si := range per {
			for vi, n := range per[si][fi] {
				if n > 0 {
					counts[sv.segs[si].cols.facets[fi].values[vi]] += n
				}
			}
		}
		out[f.name] = topCounts(counts, f.size)
	}
	return out, nil
}
