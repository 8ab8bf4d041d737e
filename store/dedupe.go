package store

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// bucketDedupe holds, per record, the digests its duplicates are recognised by:
// seq (8 bytes BE) → md5 of its content hash ‖ md5 of its source and source id (zeros when it
// has none). Keys only grow, so adding a record appends to the bucket's last page.
//
// It replaces the two buckets keyed by content hash and by source id: their keys arrive in
// random order, so once a store holds a few hundred thousand records every 1,024-record commit
// rewrote a thousand pages of each, which cost more than writing the records themselves
// (BenchmarkAdd: 36-43 → 12-15 CPU-µs per record at 200k without them). The lookup by digest
// is an in-memory table rebuilt from this bucket when the store opens.
var bucketDedupe = []byte("dedupe")

// Buckets of stores written before bucketDedupe; Open moves them into it and deletes them.
var (
	bucketSourceIDs = []byte("source_ids") // source + 0x00 + source id → record ID
	bucketHashes    = []byte("hashes")     // content hash → record ID
)

// digest identifies a record's content hash or its source id; which of the two halves of a
// dedupe entry it is compared with depends on kind.
type digest [md5.Size]byte

// Kinds of digest: the first byte hashed, so a content hash never meets a source id.
const (
	kindHash   = 'h'
	kindSource = 's'
)

func digestOf(kind byte, parts ...string) digest {
	h := md5.New()
	h.Write([]byte{kind})
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	var d digest
	h.Sum(d[:0])
	return d
}

// digests are what a record is found by: its content hash and its source id (has says which
// of the two it has).
type digests struct {
	content, source       digest
	hasContent, hasSource bool
}

func digestsOf(source, sourceID, hash string) digests {
	var ds digests
	if hash != "" {
		ds.content, ds.hasContent = digestOf(kindHash, hash), true
	}
	if sourceID != "" {
		ds.source, ds.hasSource = digestOf(kindSource, source, sourceID), true
	}
	return ds
}

// short is the table key of a digest: its first 4 bytes, never 0 (0 marks an empty slot).
// Digests that share them are told apart by the full digest in each record's dedupe entry.
func (d digest) short() uint32 { return max(binary.LittleEndian.Uint32(d[:4]), 1) }

// dedupeTable finds the records that may hold a digest without touching bbolt's pages: an
// open-addressing hash table of (short digest, seq) pairs, 8 bytes each, so two million digests
// (a million records) take 32 MB. Every candidate is checked against the full digest stored
// with its record, so a shared short digest costs one more read, never a wrong answer.
type dedupeTable struct {
	mu    sync.RWMutex
	slots []uint64 // short<<32 | seq; 0 is empty
	n     int
}

// candidates calls fn with the seq of each entry whose short digest is k until fn returns true.
func (t *dedupeTable) candidates(k uint32, fn func(seq uint64) bool) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if len(t.slots) == 0 {
		return false
	}
	mask := uint64(len(t.slots) - 1)
	for i := uint64(spread(k)) & mask; ; i = (i + 1) & mask {
		e := t.slots[i]
		if e == 0 {
			return false
		}
		if uint32(e>>32) == k && fn(e&0xFFFFFFFF) {
			return true
		}
	}
}

// spread mixes the short digest's bits into the slot index (it is already uniform; this keeps
// the table sound for any key the tests hand it).
func spread(k uint32) uint32 { return k * 0x9E3779B1 }

// add records that seq holds a digest with short digest k.
func (t *dedupeTable) add(k uint32, seq uint64) {
	if 4*(t.n+1) > 3*len(t.slots) {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	i := uint64(spread(k)) & mask
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = uint64(k)<<32 | seq
	t.n++
}

func (t *dedupeTable) grow() { t.resize(max(1024, 2*len(t.slots))) }

// reserve sizes an empty table for n entries.
func (t *dedupeTable) reserve(n int) {
	size := 1024
	for 3*size < 4*n {
		size *= 2
	}
	t.resize(size)
}

func (t *dedupeTable) resize(size int) {
	old := t.slots
	t.slots, t.n = make([]uint64, size), 0
	for _, e := range old {
		if e != 0 {
			t.add(uint32(e>>32), e&0xFFFFFFFF)
		}
	}
}

// addAll records the entries of o (an Add's, once committed).
func (t *dedupeTable) addAll(o *dedupeTable) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range o.slots {
		if e != 0 {
			t.add(uint32(e>>32), e&0xFFFFFFFF)
		}
	}
}

// entryValue is the dedupe entry of a record: both digests, zeros standing for an absent one.
func (ds digests) entryValue() []byte {
	v := make([]byte, 0, 2*md5.Size)
	return append(append(v, ds.content[:]...), ds.source[:]...)
}

// entryHolds reports whether the dedupe entry of seq holds d as its kind of digest.
func entryHolds(tx *bolt.Tx, seq uint64, kind byte, d digest) bool {
	v := tx.Bucket(bucketDedupe).Get(u64(seq))
	if len(v) != 2*md5.Size {
		return false
	}
	if kind == kindSource {
		v = v[md5.Size:]
	}
	return digest(v[:md5.Size]) == d
}

// loadDedupe builds the table from the dedupe bucket, first moving a store written before it
// into it.
func (s *Store) loadDedupe() error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketDedupe) != nil {
			return nil
		}
		b, err := tx.CreateBucket(bucketDedupe)
		if err != nil {
			return fmt.Errorf("create bucket %s: %w", bucketDedupe, err)
		}
		return migrateDedupe(tx, b)
	})
	if err != nil {
		return err
	}
	return s.db.View(func(tx *bolt.Tx) error {
		var t dedupeTable
		t.reserve(2 * int(tx.Bucket(bucketRecords).Sequence())) // two digests per record at most
		err := tx.Bucket(bucketDedupe).ForEach(func(k, v []byte) error {
			if len(k) != 8 || len(v) != 2*md5.Size {
				return fmt.Errorf("dedupe entry %x: %d bytes, want %d", k, len(v), 2*md5.Size)
			}
			seq := binary.BigEndian.Uint64(k)
			for _, d := range [2]digest{digest(v[:md5.Size]), digest(v[md5.Size:])} {
				if d != (digest{}) {
					t.add(d.short(), seq)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("load duplicate index: %w", err)
		}
		s.dedupe.slots, s.dedupe.n = t.slots, t.n
		return nil
	})
}

// migrateDedupe fills b from the buckets keyed by content hash and by source id, which map to
// record ids, and deletes them.
func migrateDedupe(tx *bolt.Tx, b *bolt.Bucket) error {
	entries := map[uint64]*digests{}
	ids := tx.Bucket(bucketIDs)
	move := func(name []byte, set func(p *digests, key []byte)) error {
		old := tx.Bucket(name)
		if old == nil {
			return nil
		}
		err := old.ForEach(func(k, id []byte) error {
			seq := ids.Get(id)
			if len(seq) != 8 {
				return fmt.Errorf("%s entry %q names record %q, which has no sequence number", name, k, id)
			}
			p := entries[binary.BigEndian.Uint64(seq)]
			if p == nil {
				p = &digests{}
				entries[binary.BigEndian.Uint64(seq)] = p
			}
			set(p, k)
			return nil
		})
		if err != nil {
			return fmt.Errorf("move %s into %s: %w", name, bucketDedupe, err)
		}
		return tx.DeleteBucket(name)
	}
	if err := move(bucketHashes, func(p *digests, k []byte) { p.content = digestOf(kindHash, string(k)) }); err != nil {
		return err
	}
	err := move(bucketSourceIDs, func(p *digests, k []byte) {
		// source + 0x00 + source id; a source name never holds 0x00.
		for i, c := range k {
			if c == 0 {
				p.source = digestOf(kindSource, string(k[:i]), string(k[i+1:]))
				return
			}
		}
	})
	if err != nil {
		return err
	}
	seqs := make([]uint64, 0, len(entries))
	for seq := range entries {
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	b.FillPercent = 0.9
	for _, seq := range seqs {
		if err := b.Put(u64(seq), entries[seq].entryValue()); err != nil {
			return fmt.Errorf("write %s: %w", bucketDedupe, err)
		}
	}
	return nil
}
