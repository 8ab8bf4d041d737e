package route

// argmax returns the key with the highest count, the smallest key on ties (deterministic): how
// placeTable.find chose among its counts before tally, kept for findNaive.
func argmax(m map[string]int) string {
	best, bn := "", 0
	for k, n := range m {
		if n > bn || (n == bn && k < best) {
			best, bn = k, n
		}
	}
	return best
}
