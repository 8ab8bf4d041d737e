package route

import "testing"

// SetShanghaiAnalyzer lets the external test package, which may import nlp (route itself must
// not), fill the analyses of the Shanghai letters before the internal cross-validation reads them.
func SetShanghaiAnalyzer(f func(tb testing.TB, rows []Labeled)) { shanghaiAnalyze = f }
