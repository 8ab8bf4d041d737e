// Package store keeps Minyi's records in bbolt: the source of truth from which the search index
// and every report are derived. Records are keyed by an increasing sequence number so that
// catching the index up after a crash is a range scan, and so that bbolt's pages fill densely.
package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"minyi/domain"
)

// ErrLocked means another Minyi process holds the data directory.
var ErrLocked = errors.New("数据目录正被另一个民意进程使用")

// ErrFull means the store has given out every record number it can index for duplicates
// (4,294,967,295): the data must be split across directories.
var ErrFull = errors.New("数据目录已满：记录编号已用尽，请分库存放")

// ErrNotFound means no record has the requested id.
var ErrNotFound = errors.New("未找到该记录")

var (
	bucketRecords = []byte("records") // seq (8 bytes BE) → JSON Record
	bucketIDs     = []byte("ids")     // record ID → seq
	bucketMeta    = []byte("meta")    // schema version and small settings
	bucketKV      = []byte("kv")      // named JSON documents: sources, their state, settings
)

// schemaVersion is written on creation; Open refuses a newer one rather than misread it.
const schemaVersion = 1

// lockTimeout bounds how long Open waits for another process to release the file.
const lockTimeout = time.Second

// Store is an open bbolt database of records. It is safe for concurrent use.
type Store struct {
	db    *bolt.DB
	path  string
	addMu sync.Mutex // held across Add's commit and its update of dedupe

	dedupe     dedupeTable // content hash and source id → seq, loaded from bucketDedupe
	dedupeOnce sync.Once   // loads dedupe on first use: commands that only read never pay for it
	dedupeErr  error
}

// ensureDedupe loads the duplicate index the first time it is needed.
func (s *Store) ensureDedupe() error {
	s.dedupeOnce.Do(func() {
		if err := s.loadDedupe(); err != nil {
			s.dedupeErr = fmt.Errorf("open duplicate index of %s: %w", s.path, err)
		}
	})
	return s.dedupeErr
}

// Open opens (creating if needed) the database at path. If another process holds it,
// Open fails within about a second with ErrLocked instead of waiting forever.
func Open(ctx context.Context, path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("open store %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	if err := s.init(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketRecords, bucketIDs, bucketMeta, bucketKV} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("create bucket %s: %w", b, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		v := meta.Get([]byte("schema"))
		if v == nil {
			return meta.Put([]byte("schema"), u64(schemaVersion))
		}
		if got := binary.BigEndian.Uint64(v); got > schemaVersion {
			return fmt.Errorf("store schema %d is newer than this program (%d): 请升级民意", got, schemaVersion)
		}
		return nil
	})
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close releases the database and its lock.
func (s *Store) Close() error { return s.db.Close() }

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// FormatID turns a sequence number into the record id officers quote, e.g. M000123.
func FormatID(seq uint64) string { return fmt.Sprintf("M%06d", seq) }

// Lookup says which record, if any, already holds an item with this source id or content hash.
// It is the cheap pre-check before analysis; Add checks again inside its transaction.
func (s *Store) Lookup(ctx context.Context, source, sourceID, hash string) (string, bool, error) {
	if err := s.ensureDedupe(); err != nil {
		return "", false, err
	}
	var id string
	err := s.db.View(func(tx *bolt.Tx) error {
		id = s.dupOf(tx, nil, digestsOf(source, sourceID, hash))
		return nil
	})
	return id, id != "", err
}

// dupOf is the id of the record holding the source id of ds, else its content hash, or "".
// pending holds the digests an unfinished Add has written in tx so far.
func (s *Store) dupOf(tx *bolt.Tx, pending *dedupeTable, ds digests) string {
	find := func(kind byte, d digest) string {
		var found uint64
		holds := func(seq uint64) bool {
			if entryHolds(tx, seq, kind, d) {
				found = seq
				return true
			}
			return false
		}
		if s.dedupe.candidates(d.short(), holds) || pending != nil && pending.candidates(d.short(), holds) {
			return FormatID(found)
		}
		return ""
	}
	if ds.hasSource {
		if id := find(kindSource, ds.source); id != "" {
			return id
		}
	}
	if ds.hasContent {
		return find(kindHash, ds.content)
	}
	return ""
}

// Added says what became of one record handed to Add.
type Added struct {
	ID          string // the new record's id, or the id of the record it duplicates
	Duplicate   bool
	DuplicateOf string
}

// Add commits records in one transaction: each gets the next sequence number and id unless
// its source id or content hash is already stored (then it is reported as a duplicate and
// not stored). When Add returns nil every non-duplicate record is durable.
func (s *Store) Add(ctx context.Context, recs []*domain.Record) ([]Added, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.ensureDedupe(); err != nil {
		return nil, err
	}
	out := make([]Added, len(recs))
	s.addMu.Lock()
	defer s.addMu.Unlock()
	var pending dedupeTable // digests of this call's records, not yet in s.dedupe
	err := s.db.Update(func(tx *bolt.Tx) error {
		records := tx.Bucket(bucketRecords)
		records.FillPercent = 0.9 // keys only ever grow: pack pages densely
		ids, dedupe := tx.Bucket(bucketIDs), tx.Bucket(bucketDedupe)
		dedupe.FillPercent = 0.9
		var arena []byte // the records' encodings, carved one after another
		for i, r := range recs {
			ds := digestsOf(r.Source, r.SourceID, r.Hash)
			if dup := s.dupOf(tx, &pending, ds); dup != "" {
				out[i] = Added{ID: dup, Duplicate: true, DuplicateOf: dup}
				continue
			}
			seq, err := records.NextSequence()
			if err != nil {
				return fmt.Errorf("next sequence: %w", err)
			}
			if seq > math.MaxUint32 {
				return ErrFull
			}
			r.Seq = seq
			r.ID = FormatID(seq)
			if r.CaseID == "" {
				r.CaseID = r.ID
			}
			// bbolt keeps the value slice until the commit: each record gets its own bytes
			// of the arena, which is only appended to, never rewritten, within the call.
			if cap(arena)-len(arena) < 16<<10 {
				arena = make([]byte, 0, 256<<10)
			}
			start := len(arena)
			arena, err = appendRecordJSON(arena, r)
			if err != nil {
				return fmt.Errorf("encode record %s: %w", r.ID, err)
			}
			if err := records.Put(u64(seq), arena[start:len(arena):len(arena)]); err != nil {
				return fmt.Errorf("put record %s: %w", r.ID, err)
			}
			if err := ids.Put([]byte(r.ID), u64(seq)); err != nil {
				return err
			}
			if err := dedupe.Put(u64(seq), ds.entryValue()); err != nil {
				return fmt.Errorf("put duplicate index of %s: %w", r.ID, err)
			}
			if ds.hasContent {
				pending.add(ds.content.short(), seq)
			}
			if ds.hasSource {
				pending.add(ds.source.short(), seq)
			}
			out[i] = Added{ID: r.ID}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("add %d records: %w", len(recs), err)
	}
	s.dedupe.addAll(&pending)
	return out, nil
}

// Get returns the record with this id (or ErrNotFound).
func (s *Store) Get(ctx context.Context, id string) (*domain.Record, error) {
	var rec *domain.Record
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		rec, err = get(tx, id)
		return err
	})
	return rec, err
}

func get(tx *bolt.Tx, id string) (*domain.Record, error) {
	seq := tx.Bucket(bucketIDs).Get([]byte(id))
	if seq == nil {
		return nil, fmt.Errorf("record %s: %w", id, ErrNotFound)
	}
	v := tx.Bucket(bucketRecords).Get(seq)
	if v == nil {
		return nil, fmt.Errorf("record %s: %w", id, ErrNotFound)
	}
	var r domain.Record
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("decode record %s: %w", id, err)
	}
	return &r, nil
}

// Update applies fn to the record inside one write transaction: fn sees the current record and
// its changes are committed atomically, or not at all when fn returns an error.
func (s *Store) Update(ctx context.Context, id string, fn func(*domain.Record) error) (*domain.Record, error) {
	var rec *domain.Record
	err := s.db.Update(func(tx *bolt.Tx) error {
		r, err := get(tx, id)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
		r.ID, r.Seq = id, binary.BigEndian.Uint64(tx.Bucket(bucketIDs).Get([]byte(id)))
		buf, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode record %s: %w", id, err)
		}
		rec = r
		return tx.Bucket(bucketRecords).Put(u64(r.Seq), buf)
	})
	return rec, err
}

// Scan calls fn for every record with Seq > after, in order of Seq, in a read transaction.
// Returning an error from fn stops the scan and returns that error.
func (s *Store) Scan(ctx context.Context, after uint64, fn func(*domain.Record) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRecords).Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var r domain.Record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode record seq %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if err := fn(&r); err != nil {
				return err
			}
		}
		return nil
	})
}

// ScanNewest calls fn for records from the newest arrival backwards until fn returns false.
func (s *Store) ScanNewest(ctx context.Context, fn func(*domain.Record) bool) error {
	return s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRecords).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var r domain.Record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode record seq %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if !fn(&r) {
				return nil
			}
		}
		return nil
	})
}

// Count is the number of stored records.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketRecords).Stats().KeyN
		return nil
	})
	return n, err
}

// LastSeq is the highest sequence number given out so far.
func (s *Store) LastSeq(ctx context.Context) (uint64, error) {
	var seq uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		seq = tx.Bucket(bucketRecords).Sequence()
		return nil
	})
	return seq, err
}

// GetDoc reads the named JSON document (sources, settings …) into v; ok is false when absent.
func (s *Store) GetDoc(ctx context.Context, name string, v any) (bool, error) {
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKV).Get([]byte(name))
		if b == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(b, v)
	})
	if err != nil {
		return false, fmt.Errorf("read %s: %w", name, err)
	}
	return ok, nil
}

// PutDoc stores v as the named JSON document.
func (s *Store) PutDoc(ctx context.Context, name string, v any) error {
	buf, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketKV).Put([]byte(name), buf)
	})
}

// Backup writes a consistent copy of the whole database to w while other work goes on
// (a read transaction sees one snapshot).
func (s *Store) Backup(ctx context.Context, w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup %s: %w", s.path, err)
	}
	return n, nil
}

// BackupFile writes a consistent copy to path atomically (temp file, fsync, rename).
func (s *Store) BackupFile(ctx context.Context, path string) (int64, error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, fmt.Errorf("create backup %s: %w", path, err)
	}
	n, err := s.Backup(ctx, f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("write backup %s: %w", path, err)
	}
	return n, nil
}

// Validate checks that the file at path is a readable Minyi store (used before a restore replaces
// the live database with it).
func Validate(ctx context.Context, path string) (int, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout, ReadOnly: true})
	if err != nil {
		return 0, fmt.Errorf("不是有效的民意备份文件 %s: %w", path, err)
	}
	defer db.Close()
	n := 0
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRecords)
		if b == nil || tx.Bucket(bucketMeta) == nil {
			return errors.New("缺少记录表")
		}
		n = b.Stats().KeyN
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("不是有效的民意备份文件 %s: %w", path, err)
	}
	return n, nil
}
