package nlp

import (
	"slices"
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
}

func specFor(task string) featureSpec {
	switch task {
	case TaskClassify:
		return featureSpec{words: true, bigrams: true, charMin: 1, charMax: 2}
	case TaskSentiment:
		return featureSpec{words: true, bigrams: true, charMin: 1, charMax: 3}
	case TaskEmotion:
		return featureSpec{words: true, bigrams: true, charMin: 1, charMax: 2}
	}
	return featureSpec{words: true, bigrams: true, charMin: 1, charMax: 3}
}

// Features is the one feature extractor of the classifiers: words, word
// bigrams and character n-grams of the text, built from the one segmentation
// (words as (*Analyzer).Words gives them). Training goes through it; Apply
// hashes the very same features without building strings. The order is fixed
// (words, bigrams, then character n-grams by length) so that a task reading
// fewer n-gram lengths reads a prefix of another task's features.
func Features(task string, text string, words []string) []string {
	spec := specFor(task)
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
	if spec.charMax > 0 {
		runes := featureRunes(nil, text)
		for n := spec.charMin; n <= spec.charMax; n++ {
			for s := 0; s+n <= len(runes); s++ {
				if gram := runes[s : s+n]; !slices.Contains(gram, -1) {
					out = append(out, "c:"+string(gram))
				}
			}
		}
	}
	return out
}

// featureBuf holds the reusable buffers of featureHashes.
type featureBuf struct {
	runes []rune
	grams [maxGram][]uint64 // hashes of n-grams by n-1
}

// maxGram is the longest character n-gram featureHashes builds.
const maxGram = 4

// hashes appends to dst the hashes of exactly the strings Features returns
// for spec, in the same order, without allocating in steady state.
func (fb *featureBuf) hashes(spec featureSpec, text string, words []string, dst []uint64) []uint64 {
	if spec.words {
		for _, w := range words {
			dst = append(dst, learn.NewHasher().String("w:").String(w).Sum())
		}
	}
	if spec.bigrams {
		for i := 1; i < len(words); i++ {
			dst = append(dst, learn.NewHasher().String("b:").String(words[i-1]).Byte('|').String(words[i]).Sum())
		}
	}
	hi := min(spec.charMax, maxGram)
	if hi <= 0 {
		return dst
	}
	fb.runes = featureRunes(fb.runes[:0], text)
	for n := range fb.grams {
		fb.grams[n] = fb.grams[n][:0]
	}
	runes := fb.runes
	h0 := learn.NewHasher().String("c:")
	for s := range runes {
		h := h0
		for k := 0; k < hi && s+k < len(runes) && runes[s+k] >= 0; k++ {
			h = hashRune(h, runes[s+k])
			if k+1 >= spec.charMin {
				fb.grams[k] = append(fb.grams[k], h.Sum())
			}
		}
	}
	for n := spec.charMin; n <= hi; n++ {
		dst = append(dst, fb.grams[n-1]...)
	}
	return dst
}

// featureHashes is featureBuf.hashes with a fresh buffer (tests and one-offs).
func featureHashes(spec featureSpec, text string, words []string, dst []uint64) []uint64 {
	var fb featureBuf
	return fb.hashes(spec, text, words, dst)
}

// prefixLen is how many of the hashes last built by fb (for a spec that
// contains spec as a prefix) belong to spec.
func (fb *featureBuf) prefixLen(spec featureSpec, words int) int {
	n := 0
	if spec.words {
		n += words
	}
	if spec.bigrams && words > 1 {
		n += words - 1
	}
	for g := spec.charMin; g >= 1 && g <= min(spec.charMax, maxGram); g++ {
		n += len(fb.grams[g-1])
	}
	return n
}

// isPrefix reports whether spec a's features are always a prefix of b's.
func (a featureSpec) isPrefix(b featureSpec) bool {
	if a.words != b.words || a.bigrams != b.bigrams {
		return false
	}
	return a.charMax == 0 || (a.charMin == b.charMin && a.charMax <= b.charMax)
}

// featureRunes appends the normalised runes of text, -1 where white space or
// a control rune breaks n-grams.
func featureRunes(dst []rune, text string) []rune {
	for _, r := range text {
		if r, ok := featureRune(r); ok {
			dst = append(dst, r)
		} else {
			dst = append(dst, -1)
		}
	}
	return dst
}

func hashRune(h learn.Hasher, r rune) learn.Hasher {
	if r < utf8.RuneSelf {
		return h.Byte(byte(r))
	}
	var b [utf8.UTFMax]byte
	n := utf8.EncodeRune(b[:], r)
	for _, c := range b[:n] {
		h = h.Byte(c)
	}
	return h
}

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
