package learn

// buckets groups feature hashes by hash bucket in first-seen order with a small open-addressing
// table, so a prediction touches each distinct bucket's weights once. Model (one model's
// counts) and Fused (several models' counts in lanes) keep their own per-bucket counts beside
// idx; the table is the same.
type buckets struct {
	table []uint32 // open addressing: bucket+1, 0 = empty
	slot  []int32  // position in idx of the table entry
	idx   []uint32 // distinct buckets in first-seen order
}

// reset empties the table for up to n hashes (sized to twice that, at least 64 slots).
func (t *buckets) reset(n int) {
	size := 64
	for size < 2*n {
		size <<= 1
	}
	// cap, not len: the table is cut to each call's size, and a longer message after a shorter
	// one would otherwise allocate it again (most of Analyze's garbage). slot is never cut.
	if cap(t.table) < size {
		t.table = make([]uint32, size)
		t.slot = make([]int32, size)
	} else {
		t.table = t.table[:size]
		clear(t.table)
	}
	t.idx = t.idx[:0]
}

// find returns bucket b's position in idx; fresh says b was not there yet and has just been
// appended, so the caller appends its first count.
func (t *buckets) find(b uint32) (i int32, fresh bool) {
	tmask := uint64(len(t.table) - 1)
	// The probe start depends on the bucket alone, so equal buckets meet.
	p := (uint64(b) * 0x9E3779B97F4A7C15 >> 32) & tmask
	for {
		switch t.table[p] {
		case 0:
			t.table[p] = b + 1
			i = int32(len(t.idx))
			t.slot[p] = i
			t.idx = append(t.idx, b)
			return i, true
		case b + 1:
			return t.slot[p], false
		}
		p = (p + 1) & tmask
	}
}
