package nlp

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"minyi/learn"
)

// Classification tasks: the names TrainTask, SaveModel and the model files use.
const (
	TaskClassify  = "classify"  // matter category (一级分类)
	TaskSentiment = "sentiment" // negative vs positive
	TaskEmotion   = "emotion"   // six Weibo emotions
)

// featureSpec says which feature families a task's model reads. It was chosen
// per task by 5-fold cross-validation on the training splits (see classify.go).
type featureSpec struct {
	words   bool // "w:" + word
	bigrams bool // "b:" + word + "|" + next word
	charMin int  // "c:" + character n-grams of the normalised text, charMin..charMax runes (0 = none)
	charMax int
	title   int  // "t:" + character 1..title-grams of the first line (the message title); 0 = none
	neg     bool // "n:" + each character in a negation scope and the bigram it starts (see negScope)
	// "k:" + each level-1 class of the category tree a word names, then
	// "K:" + the class again when the word is in the title too (see taxonomyHits)
	taxonomy bool
	// "L:" + a coarse and a fine bucket of the text's length in runes (see lengthBuckets), and
	// a bucket of its number of clauses (see clauseBucket)
	length bool
}

func specFor(task string) featureSpec {
	switch task {
	case TaskClassify:
		// The title names the matter: its n-grams as a view of their own
		// lift 5-fold CV macro-F1 (3 seeds) from 0.844 to 0.861; the body's
		// words and bigrams add nothing once character 1-2 grams are there.
		// The category tree's words (data/taxonomy.bin) then lift it from
		// 0.861 to 0.872 (better on all three seeds).
		return featureSpec{charMin: 1, charMax: 2, title: 3, taxonomy: true}
	case TaskSentiment:
		// Negation scopes: 5-fold CV accuracy, mean of 3 fold seeds, waimai
		// 0.9024 → 0.9034, chnsenticorp 0.9019 → 0.9042 (better on all six).
		return featureSpec{words: true, bigrams: true, charMin: 1, charMax: 3, neg: true}
	case TaskEmotion:
		// The post's length, as two bucket features: 5-fold CV macro-F1,
		// mean of 3 fold seeds, 0.594 → 0.599 (accuracy 0.756 → 0.760);
		// in the training split, posts of 80 runes or more are 25% angry
		// and 33% happy, those under 10 runes 7% angry and 57% happy. The
		// other tasks gain nothing from it (within ±0.1 point). With the
		// number of clauses as a third bucket, mean of 6 fold seeds 0.5997 →
		// 0.6022 (better on four seeds, equal on one, −0.02 on one).
		return featureSpec{words: true, bigrams: true, charMin: 1, charMax: 2, length: true}
	}
	return featureSpec{words: true, bigrams: true, charMin: 1, charMax: 3}
}

// maxGram is the longest character n-gram (body or title) a spec may ask for.
const maxGram = 4

// union is the smallest spec whose feature families contain both a's and b's.
func (a featureSpec) union(b featureSpec) featureSpec {
	u := featureSpec{
		words:   a.words || b.words,
		bigrams: a.bigrams || b.bigrams,
		charMax: max(a.charMax, b.charMax),
		title:   max(a.title, b.title),
		neg:     a.neg || b.neg,

		taxonomy: a.taxonomy || b.taxonomy,
		length:   a.length || b.length,
	}
	if u.charMax > 0 {
		u.charMin = 1
	}
	return u
}

// Features is the one feature extractor of the classifiers: words, word
// bigrams and character n-grams of the text, built from the one segmentation
// (words as (*Analyzer).Words gives them), and character n-grams of its first
// line (the title of a message), characters in negation scopes, and the
// shipped priors (priors.go) the words match. Training goes through it; Apply
// hashes the very same features, in the same order (words, bigrams, character
// n-grams by length, title n-grams by length, negation scopes, taxonomy,
// length buckets),
// without building strings.
func Features(task string, text string, words []string) []string {
	return specFor(task).features(openPriors(), text, words)
}

// features builds the feature strings of spec (see Features).
func (spec featureSpec) features(p *priors, text string, words []string) []string {
	var out []string
	if spec.words {
		for _, w := range words {
			out = append(out, "w:"+w)
		}
	}
	if spec.bigrams {
		for i := 1; i < len(words); i++ {
			out = append(out, "b:"+words[i-1]+"|"+words[i])
		}
	}
	grams := func(prefix string, runes []rune, lo, hi int) {
		for n := lo; n <= hi; n++ {
			for s := 0; s+n <= len(runes); s++ {
				if gram := runes[s : s+n]; !slices.Contains(gram, -1) {
					out = append(out, prefix+string(gram))
				}
			}
		}
	}
	if spec.charMax > 0 {
		grams("c:", featureRunes(nil, text), spec.charMin, spec.charMax)
	}
	if spec.title > 0 {
		first, _, _ := strings.Cut(text, "\n")
		grams("t:", featureRunes(nil, first), 1, spec.title)
	}
	if spec.neg {
		runes := featureRunes(nil, text)
		negScope(runes, func(s int, bigram bool) {
			out = append(out, "n:"+string(runes[s]))
			if bigram {
				out = append(out, "n:"+string(runes[s:s+2]))
			}
		})
	}
	if spec.taxonomy {
		p.taxonomyHits(text, words, nil, func(class int, inTitle bool) {
			out = append(out, "k:"+p.taxonomy.labels[class])
			if inTitle {
				out = append(out, "K:"+p.taxonomy.labels[class])
			}
		})
	}
	if spec.length {
		coarse, fine := lengthBuckets(text)
		out = append(out, lengthFeature('c', coarse), lengthFeature('f', fine), lengthFeature('k', clauseBucket(text)))
	}
	return out
}

// lengthCuts are the fine length buckets' lower bounds in runes; the coarse
// buckets are cut at lengthCoarse. Bucket i holds lengths ≥ cuts[i-1].
var (
	lengthCuts   = [...]int{5, 10, 15, 20, 30, 40, 60, 80, 120, 160}
	lengthCoarse = [...]int{10, 20, 40, 80}
)

// lengthBuckets returns the coarse and fine length bucket of text (its runes,
// each invalid byte counting as one).
func lengthBuckets(text string) (coarse, fine int) {
	n := utf8.RuneCountInString(text)
	for coarse < len(lengthCoarse) && n >= lengthCoarse[coarse] {
		coarse++
	}
	for fine < len(lengthCuts) && n >= lengthCuts[fine] {
		fine++
	}
	return coarse, fine
}

// clauseBucket is the bucket of text's number of clauses (runs of characters between
// punctuation and white space, as negation scopes end): 0, 1, 2-3, 4-6, 7 or more. A one-line
// cry of joy and a post of several sentences are read differently.
func clauseBucket(text string) int {
	n, in := 0, false
	for _, r := range text {
		brk := false
		if r < 0x3400 || r > 0x9FFF { // CJK ideographs are never breaks
			fr, ok := featureRune(r)
			brk = !ok || negBreak(fr)
		}
		if !brk && !in {
			n++
		}
		in = !brk
	}
	switch {
	case n <= 1:
		return n
	case n <= 3:
		return 2
	case n <= 6:
		return 3
	}
	return 4
}

// lengthFeature names bucket b of a kind ('c' coarse length, 'f' fine length, 'k' clauses):
// "L:c0", "L:f10", "L:k2".
func lengthFeature(kind byte, b int) string {
	return "L:" + string(kind) + strconv.Itoa(b)
}

// negScopeLen is how many characters after a negator are read as negated.
const negScopeLen = 3

// negScope calls emit for each character s in the scope of a negator
// (不没无别未非): up to negScopeLen characters after it, ended early by
// punctuation or white space. bigram says whether the next character also
// belongs to the sentence (then the bigram at s is a feature too). A negated
// "好" differs from a plain one in ways character n-grams see only when the
// two are adjacent ("不太好", "没有很好吃").
func negScope(runes []rune, emit func(s int, bigram bool)) {
	scope := 0
	for s, r := range runes {
		switch {
		case negBreak(r):
			scope = 0
			continue
		case r == '不' || r == '没' || r == '无' || r == '别' || r == '未' || r == '非':
			scope = negScopeLen
			continue
		}
		if scope > 0 {
			scope--
			emit(s, s+1 < len(runes) && !negBreak(runes[s+1]))
		}
	}
}

// negBreak reports whether r ends a negation scope.
func negBreak(r rune) bool {
	if r >= 0x3400 && r <= 0x9FFF { // CJK ideographs, the common case, are never punctuation
		return false
	}
	return negBreakOther(r)
}

// cjkPunct has bit i set when U+3000+i (CJK Symbols and Punctuation: 。、「」《》…) is
// punctuation, as unicode.IsPunct says (TestCJKPunct).
const cjkPunct = 0x20010000fff3ff0e

// negBreakOther is negBreak for the runes other than CJK ideographs (kept apart so that
// negBreak is inlined).
func negBreakOther(r rune) bool {
	if r >= 0x3000 && r < 0x3040 { // Chinese punctuation, without unicode.IsPunct's search
		return cjkPunct>>(r-0x3000)&1 != 0
	}
	return r < 0 || r == '~' || unicode.IsPunct(r)
}

// featureBuf holds the hashes of every feature family of one text, as
// extract builds them for a union of specs, and the buffers behind them, so
// that the three models share one extraction and nothing is allocated in
// steady state.
type featureBuf struct {
	runes   []rune
	words   []uint64
	bigrams []uint64
	grams   [maxGram][]uint64 // body character n-grams by n-1
	title   [maxGram][]uint64 // title character n-grams by n-1
	neg     []uint64
	tax     []uint64
	length  []uint64
}

// extract hashes the feature families of spec (charMin is taken as 1), with
// the priors p.
func (fb *featureBuf) extract(spec featureSpec, p *priors, text string, words []string) {
	fb.words, fb.bigrams, fb.tax, fb.length = fb.words[:0], fb.bigrams[:0], fb.tax[:0], fb.length[:0]
	if spec.length {
		coarse, fine := lengthBuckets(text)
		prefix := learn.NewHasher().String("L:")
		fb.length = append(fb.length, prefix.Byte('c').String(strconv.Itoa(coarse)).Sum(),
			prefix.Byte('f').String(strconv.Itoa(fine)).Sum(),
			prefix.Byte('k').String(strconv.Itoa(clauseBucket(text))).Sum())
	}
	if spec.words || spec.taxonomy {
		prefix := learn.NewHasher().String("w:")
		for _, w := range words {
			fb.words = append(fb.words, prefix.String(w).Sum())
		}
	}
	if spec.bigrams {
		prefix := learn.NewHasher().String("b:")
		for i := 1; i < len(words); i++ {
			fb.bigrams = append(fb.bigrams, prefix.String(words[i-1]).Byte('|').String(words[i]).Sum())
		}
	}
	if spec.taxonomy {
		p.taxonomyHits(text, words, fb.words, func(class int, inTitle bool) {
			fb.tax = append(fb.tax, p.taxHash[class])
			if inTitle {
				fb.tax = append(fb.tax, p.taxTitleHash[class])
			}
		})
	}
	for n := range maxGram {
		fb.grams[n], fb.title[n] = fb.grams[n][:0], fb.title[n][:0]
	}
	fb.neg = fb.neg[:0]
	if spec.charMax <= 0 && spec.title <= 0 && !spec.neg {
		return
	}
	fb.runes = featureRunes(fb.runes[:0], text)
	if spec.charMax > 0 {
		hashGrams(&fb.grams, learn.NewHasher().String("c:"), fb.runes, min(spec.charMax, maxGram))
	}
	if spec.title > 0 {
		end := len(text)
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			end = i
		}
		// featureRunes gives one rune per rune of text (or per invalid byte),
		// as RuneCountInString counts them.
		hashGrams(&fb.title, learn.NewHasher().String("t:"), fb.runes[:utf8.RuneCountInString(text[:end])], min(spec.title, maxGram))
	}
	if spec.neg {
		prefix := learn.NewHasher().String("n:")
		negScope(fb.runes, func(s int, bigram bool) {
			h := hashRune(prefix, fb.runes[s])
			fb.neg = append(fb.neg, h.Sum())
			if bigram {
				fb.neg = append(fb.neg, hashRune(h, fb.runes[s+1]).Sum())
			}
		})
	}
}

// hashGrams appends to dst[n-1] the hashes of the n-grams (n ≤ hi) of runes
// that contain no break (-1), each n-gram as prefix+its runes.
func hashGrams(dst *[maxGram][]uint64, prefix learn.Hasher, runes []rune, hi int) {
	for s := range runes {
		h := prefix
		for k := 0; k < hi && s+k < len(runes) && runes[s+k] >= 0; k++ {
			h = hashRune(h, runes[s+k])
			dst[k] = append(dst[k], h.Sum())
		}
	}
}

// assemble appends to dst the hashes of exactly the strings spec.features
// returns, in the same order, from the families last extracted (which must
// include spec's).
func (fb *featureBuf) assemble(spec featureSpec, dst []uint64) []uint64 {
	if spec.words {
		dst = append(dst, fb.words...)
	}
	if spec.bigrams {
		dst = append(dst, fb.bigrams...)
	}
	if spec.charMax > 0 {
		for n := spec.charMin; n <= min(spec.charMax, maxGram); n++ {
			dst = append(dst, fb.grams[n-1]...)
		}
	}
	for n := 1; n <= min(spec.title, maxGram); n++ {
		dst = append(dst, fb.title[n-1]...)
	}
	if spec.neg {
		dst = append(dst, fb.neg...)
	}
	if spec.taxonomy {
		dst = append(dst, fb.tax...)
	}
	if spec.length {
		dst = append(dst, fb.length...)
	}
	return dst
}

// parts appends to dst the families last extracted, each with the models
// (bit i = specs[i]) that read it, for learn.Fused.
func (fb *featureBuf) parts(specs *[3]featureSpec, dst []learn.FusedPart) []learn.FusedPart {
	var words, bigrams, neg, tax, length uint8
	var grams, title [maxGram]uint8
	for i, s := range specs {
		bit := uint8(1) << i
		if s.words {
			words |= bit
		}
		if s.bigrams {
			bigrams |= bit
		}
		if s.neg {
			neg |= bit
		}
		if s.taxonomy {
			tax |= bit
		}
		if s.length {
			length |= bit
		}
		if s.charMax > 0 {
			for n := s.charMin; n <= min(s.charMax, maxGram); n++ {
				grams[n-1] |= bit
			}
		}
		for n := 1; n <= min(s.title, maxGram); n++ {
			title[n-1] |= bit
		}
	}
	add := func(h []uint64, models uint8) {
		if models != 0 && len(h) > 0 {
			dst = append(dst, learn.FusedPart{Hashes: h, Models: models})
		}
	}
	add(fb.words, words)
	add(fb.bigrams, bigrams)
	for n := range maxGram {
		add(fb.grams[n], grams[n])
		add(fb.title[n], title[n])
	}
	add(fb.neg, neg)
	add(fb.tax, tax)
	add(fb.length, length)
	return dst
}

// featureHashes hashes spec's features with a fresh buffer (tests and one-offs).
func featureHashes(spec featureSpec, text string, words []string, dst []uint64) []uint64 {
	var fb featureBuf
	fb.extract(spec, openPriors(), text, words)
	return fb.assemble(spec, dst)
}

// featureRunes appends the normalised runes of text, -1 where white space or
// a control rune breaks n-grams.
func featureRunes(dst []rune, text string) []rune {
	for _, r := range text {
		if r >= 0x3400 && r <= 0x9FFF { // CJK ideographs, most runes, stay as they are
			dst = append(dst, r)
		} else if r, ok := featureRune(r); ok {
			dst = append(dst, r)
		} else {
			dst = append(dst, -1)
		}
	}
	return dst
}

func hashRune(h learn.Hasher, r rune) learn.Hasher { return h.Rune(r) }

// featureRune normalises a rune for character n-grams: full-width forms to
// ASCII, lower case; white space and control runes break n-grams (ok=false).
func featureRune(r rune) (rune, bool) {
	if r >= 0xFF01 && r <= 0xFF5E {
		r -= 0xFEE0
	}
	switch {
	case r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r):
		return 0, false
	case r < 0x80:
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
	case r >= 0x3400 && r <= 0x9FFF: // CJK ideographs have no case
	default:
		r = unicode.ToLower(r)
	}
	return r, true
}
