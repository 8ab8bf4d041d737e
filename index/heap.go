package index

// keepBest adds x to h, a heap of at most k items whose root is the worst kept (worse(a, b):
// a ranks below b). Until k are kept items are only appended (they usually arrive best first,
// so sifting each would cost log k); the heap is built once when the k-th arrives. After that x
// replaces the root when it ranks above it.
func keepBest[T any](h []T, x T, k int, worse func(a, b T) bool) []T {
	if len(h) < k {
		h = append(h, x)
		if len(h) == k {
			for i := k/2 - 1; i >= 0; i-- {
				siftDown(h, i, worse)
			}
		}
		return h
	}
	if worse(h[0], x) {
		h[0] = x
		siftDown(h, 0, worse)
	}
	return h
}

// siftDown moves h[i] towards the leaves of the heap h until no child belongs above it
// (above(a, b): a belongs nearer the root than b).
func siftDown[T any](h []T, i int, above func(a, b T) bool) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && above(h[r], h[l]) {
			m = r
		}
		if !above(h[m], h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
