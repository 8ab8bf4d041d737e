package route

import "math"

// Unit kinds a department name reads as (see kindOf).
const (
	kindCity     = iota // a city-level body: its own unit type
	kindDistrict        // a district unit (区教育局, 区建管委, 区政府)
	kindStreet          // a street/town office
)

// kindOf reads the kind of unit a department name is.
func kindOf(name string) int {
	t, d, _ := hierKeys(name)
	switch {
	case d == "":
		return kindCity
	case t == streetType:
		return kindStreet
	default:
		return kindDistrict
	}
}

// nameKeys is what the scoring needs to know about one department name, computed once.
type nameKeys struct {
	typ, dist string
	kind      int
}

// Reranking features: the evidence of one candidate as a vector, scored by Options.Weights (a
// conditional logit over a letter's candidates, fitted on cross-validation folds; see
// rerank_test.go). Interactions with whether the letter names a district or street let the place
// models count for much where the letter says where, and little where it does not.
const (
	fType            = iota // log p(unit type)
	fDist                   // log p(district), renormalised over the districts the type exists in
	fDistZ                  // log of that normaliser
	fStreet                 // log p(street), renormalised over the district's streets
	fStreetZ                // log of that normaliser
	fKNN                    // share of the K nearest letters' similarity sent here
	fNear                   // sits in the district the text names
	fNearStreet             // sits in the street the text names
	fFar                    // sits in another district than the one the text names
	fFlat                   // log p under the flat department model (0 when not trained)
	fPrior                  // log share of history sent here
	fDistVote               // share of the KWide nearest letters sent to a unit of this district
	fTypeVote               // share of the KWide nearest letters sent to a unit of this type
	fCity                   // kind biases
	fDistrictUnit           //
	fStreetUnit             //
	fCityPlace              // kind × the text names a district
	fDistrictPlace          //
	fStreetPlace            //
	fCityStreet             // kind × the text names a street
	fDistrictStreet         //
	fStreetStreet           //
	fDistPlace              // fDist when the text names a district
	fStreetNamed            // fStreet when the text names a street
	fTypeStreetUnit         // fType for street/town offices
	fSameDay                // log(1 + letters of history sent here written the same day)
	fNearDay                // log(1 + such letters written within dayWindow days, not the same day)
	fDistDay                // log(1 + letters of history sent to this district written the same day)
	fDayShare               // share of the same day's letters sent here
	fSameDayUnnamed         // fSameDay of a street/town office when the text names no street
	fDayShareUnnamed        // fDayShare when the text names no place
	fHintStreet             // sits in the street of a community or road the text names (found.hints)
	fHintDist               // sits in the district of one
	nFeatures
)

// featureNames label the features in logs and tuning output.
var featureNames = [nFeatures]string{"type", "dist", "distZ", "street", "streetZ", "knn", "near", "nearStreet",
	"far", "flat", "prior", "distVote", "typeVote", "city", "districtUnit", "streetUnit", "city×place",
	"district×place", "street×place", "city×street", "district×street", "street×street", "dist×place",
	"street×named", "type×streetUnit", "sameDay", "nearDay", "distDay", "dayShare", "sameDay×unnamed", "dayShare×unnamed",
	"hintStreet", "hintDist"}

// vector writes the reranking features of c into v.
func (c *cand) vector(v *[nFeatures]float64) {
	*v = [nFeatures]float64{}
	if c.hier {
		v[fType] = c.ltype
		v[fDist] = c.ldist - c.ldistZ
		v[fDistZ] = c.ldistZ
		v[fStreet] = c.lstreet - c.lstreetZ
		v[fStreetZ] = c.lstreetZ
	}
	v[fKNN] = c.vote
	v[fNear] = b2f(c.district)
	v[fNearStreet] = b2f(c.street)
	v[fFar] = b2f(c.mismatch)
	if c.fromModel || c.flat {
		v[fFlat] = c.lp
	}
	v[fPrior] = c.prior
	v[fDistVote] = c.dvote
	v[fTypeVote] = c.tvote
	v[fCity+c.kind] = 1
	if c.placeDist {
		v[fCityPlace+c.kind] = 1
		v[fDistPlace] = v[fDist]
	}
	if c.placeStreet {
		v[fCityStreet+c.kind] = 1
		v[fStreetNamed] = v[fStreet]
	}
	if c.kind == kindStreet {
		v[fTypeStreetUnit] = v[fType]
	}
	v[fSameDay], v[fNearDay], v[fDistDay], v[fDayShare] = c.sameDay, c.nearDay, c.distDay, c.dayShare
	if c.kind == kindStreet && !c.placeStreet {
		v[fSameDayUnnamed] = c.sameDay
	}
	if !c.placeStreet && !c.placeDist {
		v[fDayShareUnnamed] = c.dayShare
	}
	v[fHintStreet], v[fHintDist] = b2f(c.hintStreet), b2f(c.hintDist)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// learnedScore is the weighted evidence of c without rules (Options.score adds them).
func (o *Options) learnedScore(c *cand) float64 {
	var v [nFeatures]float64
	c.vector(&v)
	var s float64
	for i, w := range o.Weights {
		if i < nFeatures {
			s += w * v[i]
		}
	}
	return s
}

// logPrior is the smoothed log share of history sent to each department.
func logPrior(labels []string) map[string]float64 {
	n := map[string]int{}
	for _, l := range labels {
		n[l]++
	}
	out := make(map[string]float64, len(n))
	for l, c := range n {
		out[l] = math.Log(float64(c) / float64(len(labels)+len(n)))
	}
	return out
}

// defaultWeights are the reranking weights chosen by coordinate ascent on top-1 plus top-3
// accuracy over 3-fold cross-validation candidates of the Shanghai data (tune_test.go, -ascend);
// hintStreet and hintDist are the values a later 3-fold ascent gave them (the others were kept).
func defaultWeights() []float64 {
	return []float64{
		0.55,  // type
		1.10,  // dist
		0,     // distZ
		1.15,  // street
		0.15,  // streetZ
		2.50,  // knn
		0.50,  // near
		4.50,  // nearStreet
		-1.70, // far
		0,     // flat
		0,     // prior
		-1.00, // distVote
		0.05,  // typeVote
		-0.10, // city
		0,     // districtUnit
		-2.00, // streetUnit
		0.05,  // city×place
		0,     // district×place
		0.75,  // street×place
		-0.10, // city×street
		0.10,  // district×street
		-1.00, // street×street
		-0.25, // dist×place
		-0.55, // street×named
		1.00,  // type×streetUnit
		0.25,  // sameDay
		-0.05, // nearDay
		0.10,  // distDay
		-0.45, // dayShare
		2.25,  // sameDay×unnamed
		1.00,  // dayShare×unnamed
		4.50,  // hintStreet
		1.35,  // hintDist
	}
}
