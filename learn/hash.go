package learn

// FNV-1a 64-bit constants. FNV is streaming, so a feature hashed in parts
// (prefix, then word) equals the same feature hashed as one string: callers on
// hot paths hash without building strings, training hashes the strings.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// Hasher hashes one feature string incrementally without allocating. It is a
// value: each method returns the extended state. Start with NewHasher.
type Hasher uint64

// NewHasher returns the empty hash state.
func NewHasher() Hasher { return fnvOffset }

// String extends the hash with the bytes of s.
func (h Hasher) String(s string) Hasher {
	for i := 0; i < len(s); i++ {
		h ^= Hasher(s[i])
		h *= fnvPrime
	}
	return h
}

// Byte extends the hash with one byte.
func (h Hasher) Byte(b byte) Hasher {
	h ^= Hasher(b)
	h *= fnvPrime
	return h
}

// Sum finishes the hash; a final mix spreads FNV's weak low bits, which are the
// bits the model's bucket mask keeps.
func (h Hasher) Sum() uint64 {
	x := uint64(h)
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
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
