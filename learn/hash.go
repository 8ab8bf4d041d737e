package learn

import "unicode/utf8"

// FNV-1a 64-bit constants. FNV is streaming, so a feature hashed in parts
// (prefix, then word) equals the same feature hashed as one string: callers on
// hot paths hash without building strings, training hashes the strings.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
	viewShift = 61 // the top 3 bits of a feature hash carry its view
)

// Hasher hashes one feature string incrementally without allocating. It is a
// value: each method returns the extended state. Start with NewHasher.
//
// A feature written "x:rest" (one ASCII byte, then a colon) belongs to view x
// (e.g. w: words, b: bigrams, c: characters); with Options.ViewNorm each view
// is L2-normalised on its own so that no family of features drowns the others.
type Hasher struct {
	h     uint64
	n     uint32
	first byte
	colon bool
}

// NewHasher returns the empty hash state.
func NewHasher() Hasher { return Hasher{h: fnvOffset} }

// String extends the hash with the bytes of s.
func (h Hasher) String(s string) Hasher {
	i := 0
	for ; i < len(s) && h.n < 2; i++ {
		h = h.Byte(s[i]) // the first two bytes may name the view
	}
	x := h.h
	for ; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= fnvPrime
	}
	h.h = x
	return h
}

// Rune extends the hash with the UTF-8 encoding of r (U+FFFD for an invalid
// rune, as utf8.EncodeRune writes it), as Byte would byte by byte.
func (h Hasher) Rune(r rune) Hasher {
	if h.n < 2 || r < utf8.RuneSelf || r > utf8.MaxRune || (r >= 0xD800 && r <= 0xDFFF) {
		var b [utf8.UTFMax]byte
		for _, c := range b[:utf8.EncodeRune(b[:], r)] {
			h = h.Byte(c)
		}
		return h
	}
	x := h.h
	switch {
	case r < 0x800:
		x = (x ^ uint64(0xC0|r>>6)) * fnvPrime
	case r < 0x10000:
		x = (x ^ uint64(0xE0|r>>12)) * fnvPrime
		x = (x ^ uint64(0x80|r>>6&0x3F)) * fnvPrime
	default:
		x = (x ^ uint64(0xF0|r>>18)) * fnvPrime
		x = (x ^ uint64(0x80|r>>12&0x3F)) * fnvPrime
		x = (x ^ uint64(0x80|r>>6&0x3F)) * fnvPrime
	}
	h.h = (x ^ uint64(0x80|r&0x3F)) * fnvPrime
	return h
}

// Byte extends the hash with one byte.
func (h Hasher) Byte(b byte) Hasher {
	switch h.n {
	case 0:
		h.first = b
		h.n++
	case 1:
		h.colon = b == ':'
		h.n++
	}
	h.h ^= uint64(b)
	h.h *= fnvPrime
	return h
}

// Sum finishes the hash; a final mix spreads FNV's weak low bits, which are the
// bits the model's bucket mask keeps. The top bits hold the view.
func (h Hasher) Sum() uint64 {
	x := h.h
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	var view uint64
	if h.colon && h.first < 0x80 {
		view = uint64(h.first & 7)
	}
	return x&(1<<viewShift-1) | view<<viewShift
}

// Hash is the hash of one whole feature string, equal to
// NewHasher().String(s).Sum().
func Hash(s string) uint64 { return NewHasher().String(s).Sum() }

// HashAll hashes every feature string into dst (reused when large enough).
func HashAll(dst []uint64, features []string) []uint64 {
	dst = dst[:0]
	for _, f := range features {
		dst = append(dst, Hash(f))
	}
	return dst
}
