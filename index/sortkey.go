package index

import (
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/size"
	bindex "github.com/blevesearch/bleve_index_api"
)

// sortKey is a numeric document field indexed as its full-precision term alone. bleve's own
// numeric field adds fifteen coarser terms per value so that numeric range queries can cover a
// range with few terms; seq is only ever sorted on and read from doc values (the
// full-precision term), and its extra terms — nearly all unique — were a sixth of the indexing
// work and a fifth of the index on disk. Range queries over a sortKey field would miss
// documents, so none may be built (time ranges use the time columns, see timeRange).
type sortKey struct {
	name   string
	value  numeric.PrefixCoded // the indexed term and doc value
	stored []byte              // the stored value when not value itself (newTimeKey)
	typ    byte                // bleve's encoded field type: 'n' numeric, 'd' date
	opts   bindex.FieldIndexingOptions
	freqs  bindex.TokenFrequencies
}

// newSortKey returns the field name holding v, indexed and with doc values.
func newSortKey(name string, v float64) *sortKey {
	return &sortKey{
		name:  name,
		value: numeric.MustNewPrefixCodedInt64(numeric.Float64ToInt64(v), 0),
		opts:  bindex.IndexField | bindex.DocValues,
		typ:   'n',
	}
}

func (k *sortKey) Name() string                         { return k.name }
func (k *sortKey) ArrayPositions() []uint64             { return nil }
func (k *sortKey) Options() bindex.FieldIndexingOptions { return k.opts }
func (k *sortKey) Value() []byte {
	if k.stored != nil {
		return k.stored
	}
	return k.value
}
func (k *sortKey) NumPlainTextBytes() uint64                         { return 8 }
func (k *sortKey) EncodedFieldType() byte                            { return k.typ }
func (k *sortKey) AnalyzedLength() int                               { return 1 }
func (k *sortKey) AnalyzedTokenFrequencies() bindex.TokenFrequencies { return k.freqs }

// Size implements document.Field (bleve's memory accounting).
func (k *sortKey) Size() int {
	n := 64 + len(k.name) + len(k.value) + len(k.stored)
	if k.freqs != nil {
		n += k.freqs.Size()
	}
	return n + size.SizeOfPtr
}

// Analyze implements document.Field: one token, the full-precision value.
func (k *sortKey) Analyze() {
	tf := &bindex.TokenFreq{Term: k.value}
	tf.SetFrequency(1)
	k.freqs = bindex.TokenFrequencies{string(k.value): tf}
}
