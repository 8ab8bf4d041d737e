package nlp

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unicode/utf8"
)

// The shipped priors (priors.go) come from public data that is not evaluation
// data; regenerate them, then the models that read them:
//
//	CGO_ENABLED=0 go test ./nlp -run TestGeneratePriors -update-priors   # rewrite data/*.bin
//	CGO_ENABLED=0 go test ./nlp -run TestGenerateModels -update-models   # then retrain models/*.bin
var updatePriors = flag.Bool("update-priors", false, "rebuild the shipped prior table data/taxonomy.bin")

// maxTaxonomyClasses drops words that name more level-1 classes than this
// (管理, 服务): they say little about any one.
const maxTaxonomyClasses = 3

func TestGeneratePriors(t *testing.T) {
	if !*updatePriors {
		t.Skip("run with -update-priors to rebuild data/*.bin")
	}
	a := mustAnalyzer(t)
	tax, n := buildTaxonomyTable(t, a)
	if err := os.WriteFile(filepath.Join("data", "taxonomy.bin"), tax, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("taxonomy.bin: %d words, %d bytes", n, len(tax))
}

// buildTaxonomyTable segments every level-2 and level-3 name of the category
// tree (其他 left out) and maps each word of two or more characters to the
// level-1 classes whose names contain it.
func buildTaxonomyTable(tb testing.TB, a *Analyzer) ([]byte, int) {
	tb.Helper()
	f, err := os.Open(filepath.Join(trainingData, "teddy2020c_taxonomy", "taxonomy.jsonl"))
	if err != nil {
		tb.Skipf("taxonomy not available: %v", err)
	}
	defer f.Close()
	type row struct{ Level1, Level2, Level3 string }
	var rows []row
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatal(err)
		}
		rows = append(rows, r)
	}
	var labels []string
	for _, r := range rows {
		labels = append(labels, r.Level1)
	}
	slices.Sort(labels)
	labels = slices.Compact(labels)
	if len(labels) > 16 {
		tb.Fatalf("%d level-1 classes do not fit 16 bits", len(labels))
	}
	words := map[string]uint16{}
	for _, r := range rows {
		c, _ := slices.BinarySearch(labels, r.Level1)
		for _, name := range []string{r.Level2, r.Level3} {
			if name == "" || name == "其他" {
				continue
			}
			for _, w := range a.Words(name) {
				if utf8.RuneCountInString(w) >= 2 {
					words[w] |= 1 << c
				}
			}
		}
	}
	vals := map[uint64]uint16{}
	for w, classes := range words {
		if bits.OnesCount16(classes) <= maxTaxonomyClasses {
			vals[wordHash(w)] = classes
		}
	}
	return encodePriorTable(tb, labels, vals), len(vals)
}

// encodePriorTable writes the table format priorTable reads, with twice as
// many slots as keys (rounded up to a power of two).
func encodePriorTable(tb testing.TB, labels []string, vals map[uint64]uint16) []byte {
	tb.Helper()
	slots := 1
	for slots < 2*len(vals) {
		slots *= 2
	}
	keys := make([]uint64, slots)
	v := make([]uint16, slots)
	mask := uint64(slots - 1)
	for _, h := range slices.Sorted(func(yield func(uint64) bool) {
		for h := range vals {
			if !yield(h) {
				return
			}
		}
	}) {
		if h == 0 {
			tb.Fatal("feature hash 0 is the empty slot")
		}
		i := h & mask
		for keys[i] != 0 {
			i = (i + 1) & mask
		}
		keys[i], v[i] = h, vals[h]
	}
	b := []byte("MNYT")
	b = append(b, priorTableVersion, byte(len(labels)))
	for _, l := range labels {
		if len(l) > 255 {
			tb.Fatalf("label %q too long", l)
		}
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(slots))
	for _, k := range keys {
		b = binary.LittleEndian.AppendUint64(b, k)
	}
	for _, x := range v {
		b = binary.LittleEndian.AppendUint16(b, x)
	}
	return b
}

func TestPriorTables(t *testing.T) {
	p := openPriors()
	if got := len(p.taxonomy.labels); got != 15 {
		t.Fatalf("taxonomy.bin has %d level-1 classes, want the tree's 15", got)
	}
	class := func(w string) []string {
		v, _ := p.taxonomy.lookup(wordHash(w))
		var out []string
		for c, l := range p.taxonomy.labels {
			if v&(1<<c) != 0 {
				out = append(out, l)
			}
		}
		return out
	}
	for w, want := range map[string]string{"网约车": "交通运输", "医患": "卫生计生", "招生": "教育文体", "拆迁": "城乡建设"} {
		if got := class(w); !slices.Contains(got, want) {
			t.Errorf("taxonomy word %s: classes %v, want %s among them", w, got, want)
		}
	}
	if got := class("馒头"); got != nil {
		t.Errorf("馒头 is no word of the category tree, got %v", got)
	}
	var hits []string
	p.taxonomyHits("网约车乱收费\n医院和学校招生", []string{"网约车", "乱", "收费", "医院", "学校", "招生"}, nil, func(c int, inTitle bool) {
		hits = append(hits, fmt.Sprintf("%s/%v", p.taxonomy.labels[c], inTitle))
	})
	if !slices.Contains(hits, "交通运输/true") || !slices.Contains(hits, "教育文体/false") {
		t.Errorf("taxonomyHits: %v, want 交通运输 in the title and 教育文体 in the body", hits)
	}
}
