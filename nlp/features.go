package nlp

import (
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
		return featureSpec{words: true, bigrams: true, charMin: 1, charMax: 3}
	}
	return featureSpec{words: true, bigrams: true, charMin: 1, charMax: 3}
}

// Features is the one feature extractor of the classifiers: words, word
// bigrams and character n-grams of the text, built from the one segmentation
// (words as (*Analyzer).Words gives them). Training goes through it; Apply
// hashes the very same features without building strings.
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
		var buf [4]rune
		n := 0
		for _, r := range text {
			r, ok := featureRune(r)
			if !ok {
				n = 0
				continue
			}
			copy(buf[:], buf[1:])
			buf[3] = r
			n = min(n+1, 3)
			for k := spec.charMin; k <= min(spec.charMax, n); k++ {
				out = append(out, "c:"+string(buf[4-k:]))
			}
		}
	}
	return out
}

// featureHashes appends to dst the hashes of exactly the strings Features
// returns, in the same order, without allocating.
func featureHashes(spec featureSpec, text string, words []string, dst []uint64) []uint64 {
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
	if spec.charMax > 0 {
		var buf [4]rune
		n := 0
		for _, r := range text {
			r, ok := featureRune(r)
			if !ok {
				n = 0
				continue
			}
			copy(buf[:], buf[1:])
			buf[3] = r
			n = min(n+1, 3)
			for k := spec.charMin; k <= min(spec.charMax, n); k++ {
				h := learn.NewHasher().String("c:")
				for _, c := range buf[4-k:] {
					h = hashRune(h, c)
				}
				dst = append(dst, h.Sum())
			}
		}
	}
	return dst
}

func hashRune(h learn.Hasher, r rune) learn.Hasher {
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
	default:
		r = unicode.ToLower(r)
	}
	return r, true
}
