package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/bits"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"minyi/domain"
)

// The near-duplicate index finds, for a new message, earlier messages whose 64-bit SimHash is a
// few bits away, without comparing against every record: the hash is cut into bands, and two
// hashes within SketchMaxDistance bits must agree on at least one whole band (pigeonhole). Only
// messages of the last few weeks are kept in it (GroupOptions.Window), so it stays small at 1M
// records; older entries are pruned on each pass.

var (
	bucketSketches = []byte("sketches") // band (1) + band bits (2) + seq (8) → hash (8) + unix time (8)
	bucketPeople   = []byte("people")   // person + 0x00 + seq (8) → unix time (8)
	keyGroupedSeq  = []byte("grouped_seq")
)

// bandWidths cut 64 bits into 9 bands, so hashes at most 8 bits apart always share a band.
var bandWidths = [...]uint{7, 7, 7, 7, 7, 7, 7, 7, 8}

// SketchMaxDistance is the largest Hamming distance the band index is guaranteed to find.
const SketchMaxDistance = len(bandWidths) - 1

func bandKeys(h uint64) [len(bandWidths)][]byte {
	var out [len(bandWidths)][]byte
	shift := uint(0)
	for i, w := range bandWidths {
		v := (h >> shift) & (1<<w - 1)
		shift += w
		out[i] = []byte{byte(i), byte(v >> 8), byte(v)}
	}
	return out
}

// Sketch is what the grouper reads from a record for the index.
type Sketch struct {
	Hash   uint64
	Person string // normalised author id or phone; "" when unknown or anonymous
	Skip   bool   // too little text to compare: neither indexed nor grouped
}

// Candidate is an earlier record the index found for a new one.
type Candidate struct {
	Record     *domain.Record
	Distance   int  // Hamming distance between the sketches
	SamePerson bool // written by the same person (author id or phone)
}

// Grouper decides how new records join cases: it sketches a record, and given the candidates the
// index found, either mutates the record to join one (CaseID, a 合并 event) and returns the audit
// entry to record, or returns false.
type Grouper interface {
	Sketch(r *domain.Record) Sketch
	Join(r *domain.Record, cands []Candidate) (AuditEntry, bool)
}

// GroupOptions bound the candidates a pass considers.
type GroupOptions struct {
	Window         time.Duration // candidates written within this time of the new message
	MaxDistance    int           // found surely up to SketchMaxDistance, by chance beyond
	PersonDistance int           // looser distance for messages by the same person (any value)
	Batch          int           // records per transaction; default 256
}

// GroupResult counts what a pass did.
type GroupResult struct {
	Seen   int      `json:"seen"`
	Joined []string `json:"joined"` // ids of records that joined an earlier case
}

// GroupNew runs every record stored since the last pass through g, in order of arrival, in
// transactions of opt.Batch records: a record that joins a case is saved with its audit entry and
// the case index in the same transaction that moves the pass's watermark, so a crash repeats no
// join and loses none. It is cheap when nothing is new.
func (s *Store) GroupNew(ctx context.Context, g Grouper, opt GroupOptions) (GroupResult, error) {
	var res GroupResult
	if opt.Batch <= 0 {
		opt.Batch = 256
	}
	pruned := false
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		done := false
		err := s.db.Update(func(tx *bolt.Tx) error {
			sk, err := tx.CreateBucketIfNotExists(bucketSketches)
			if err != nil {
				return err
			}
			people, err := tx.CreateBucketIfNotExists(bucketPeople)
			if err != nil {
				return err
			}
			meta := tx.Bucket(bucketMeta)
			var from uint64
			if v := meta.Get(keyGroupedSeq); len(v) == 8 {
				from = binary.BigEndian.Uint64(v)
			}
			c := tx.Bucket(bucketRecords).Cursor()
			n := 0
			last := from
			var newest time.Time
			for k, v := c.Seek(u64(from + 1)); k != nil; k, v = c.Next() {
				if n == opt.Batch {
					break
				}
				n++
				last = binary.BigEndian.Uint64(k)
				var r domain.Record
				if err := json.Unmarshal(v, &r); err != nil {
					return fmt.Errorf("decode record seq %d: %w", last, err)
				}
				if r.Time.After(newest) {
					newest = r.Time
				}
				res.Seen++
				x := g.Sketch(&r)
				if x.Skip {
					continue
				}
				cands, err := candidates(tx, sk, people, &r, x, opt)
				if err != nil {
					return err
				}
				if len(cands) > 0 {
					before := stateOf(&r)
					if entry, ok := g.Join(&r, cands); ok {
						if err := s.saveJoined(tx, &r, before, entry); err != nil {
							return err
						}
						res.Joined = append(res.Joined, r.ID)
					}
				}
				if err := indexSketch(sk, people, r.Seq, x, r.Time); err != nil {
					return err
				}
			}
			if n == 0 {
				done = true
				return nil
			}
			if !pruned && opt.Window > 0 {
				pruned = true
				if err := prune(sk, people, newest.Add(-2*opt.Window)); err != nil {
					return err
				}
			}
			return meta.Put(keyGroupedSeq, u64(last))
		})
		if err != nil {
			return res, fmt.Errorf("group new records: %w", err)
		}
		if done {
			return res, nil
		}
	}
}

func (s *Store) saveJoined(tx *bolt.Tx, r *domain.Record, before AuditState, entry AuditEntry) error {
	after := stateOf(r)
	if before.CaseID != after.CaseID {
		if err := moveCase(tx, r.ID, before.CaseID, after.CaseID); err != nil {
			return err
		}
	}
	buf, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode record %s: %w", r.ID, err)
	}
	if err := tx.Bucket(bucketRecords).Put(u64(r.Seq), buf); err != nil {
		return err
	}
	entry.Changes = []AuditChange{{ID: r.ID, Before: before, After: after}}
	_, err = appendAudit(tx, entry)
	return err
}

func sketchValue(h uint64, t time.Time) []byte {
	v := make([]byte, 16)
	binary.BigEndian.PutUint64(v, h)
	binary.BigEndian.PutUint64(v[8:], uint64(t.Unix()))
	return v
}

func indexSketch(sk, people *bolt.Bucket, seq uint64, x Sketch, t time.Time) error {
	val := sketchValue(x.Hash, t)
	for _, bk := range bandKeys(x.Hash) {
		if err := sk.Put(append(bk, u64(seq)...), val); err != nil {
			return err
		}
	}
	if x.Person != "" {
		if err := people.Put(append([]byte(x.Person+"\x00"), u64(seq)...), val); err != nil {
			return err
		}
	}
	return nil
}

// Bounds on the candidate search. A wave of complaints about one thing fills a band bucket with
// thousands of near-identical messages; reading them all for every new one made a pass quadratic.
// The search reads at most scanPerKey of the newest entries per band or person and decodes only
// the maxCandidates nearest records, which is all the grouper needs to pick a case.
const (
	scanPerKey    = 256
	maxCandidates = 8
)

// candidates collects earlier records within the window that are close in hash, or by the same
// person and within the looser distance; each at most once, nearest (then newest) first.
func candidates(tx *bolt.Tx, sk, people *bolt.Bucket, r *domain.Record, x Sketch, opt GroupOptions) ([]Candidate, error) {
	type hit struct {
		seq    uint64
		d      int
		person bool
	}
	seen := map[uint64]int{} // seq → index in hits
	var hits []hit
	within := func(v []byte) (int, bool) {
		if len(v) != 16 {
			return 0, false
		}
		t := time.Unix(int64(binary.BigEndian.Uint64(v[8:])), 0)
		if opt.Window > 0 && (r.Time.Sub(t) > opt.Window || t.Sub(r.Time) > opt.Window) {
			return 0, false
		}
		return bits.OnesCount64(binary.BigEndian.Uint64(v[:8]) ^ x.Hash), true
	}
	add := func(seq uint64, d int, person bool) {
		if seq == r.Seq {
			return
		}
		if i, ok := seen[seq]; ok {
			hits[i].person = hits[i].person || person
			return
		}
		seen[seq] = len(hits)
		hits = append(hits, hit{seq, d, person})
	}
	c := sk.Cursor()
	for _, bk := range bandKeys(x.Hash) {
		newestFirst(c, bk, func(k, v []byte) {
			if d, ok := within(v); ok && d <= opt.MaxDistance {
				add(binary.BigEndian.Uint64(k[len(bk):]), d, false)
			}
		})
	}
	if x.Person != "" {
		prefix := []byte(x.Person + "\x00")
		newestFirst(people.Cursor(), prefix, func(k, v []byte) {
			if d, ok := within(v); ok && d <= opt.PersonDistance {
				add(binary.BigEndian.Uint64(k[len(prefix):]), d, true)
			}
		})
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].d != hits[j].d {
			return hits[i].d < hits[j].d
		}
		return hits[i].seq > hits[j].seq
	})
	if len(hits) > maxCandidates {
		hits = hits[:maxCandidates]
	}
	out := make([]Candidate, 0, len(hits))
	for _, h := range hits {
		v := tx.Bucket(bucketRecords).Get(u64(h.seq))
		if v == nil {
			continue
		}
		var cr domain.Record
		if err := json.Unmarshal(v, &cr); err != nil {
			return nil, fmt.Errorf("decode record seq %d: %w", h.seq, err)
		}
		out = append(out, Candidate{Record: &cr, Distance: h.d, SamePerson: h.person})
	}
	return out, nil
}

// newestFirst calls fn for up to scanPerKey entries whose key starts with prefix (prefix + an
// 8-byte sequence number), newest first.
func newestFirst(c *bolt.Cursor, prefix []byte, fn func(k, v []byte)) {
	end := append(bytes.Clone(prefix), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	k, v := c.Seek(end)
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	for n := 0; k != nil && bytes.HasPrefix(k, prefix) && n < scanPerKey; k, v = c.Prev() {
		fn(k, v)
		n++
	}
}

// prune drops index entries of messages written before cutoff; they can no longer be in anyone's
// window (the pass keeps twice the window, for messages that arrive late).
func prune(sk, people *bolt.Bucket, cutoff time.Time) error {
	for _, b := range []*bolt.Bucket{sk, people} {
		var old [][]byte
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(v) == 16 && int64(binary.BigEndian.Uint64(v[8:])) < cutoff.Unix() {
				old = append(old, bytes.Clone(k))
			}
		}
		for _, k := range old {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// PersonRecords lists the ids of messages by person still in the near-duplicate index (recent
// ones), oldest first: the officer sees who keeps writing.
func (s *Store) PersonRecords(ctx context.Context, person string) ([]string, error) {
	var out []string
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPeople)
		if b == nil || person == "" {
			return nil
		}
		prefix := []byte(person + "\x00")
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			out = append(out, FormatID(binary.BigEndian.Uint64(k[len(prefix):])))
		}
		return nil
	})
	return out, err
}
