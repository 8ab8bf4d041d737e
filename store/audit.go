package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
	bolt "go.etcd.io/bbolt"

	"minyi/domain"
)

// The audit chain answers “who did what to this case, and when” years later, and proves that the
// answer was not edited since: every entry carries the SHA-256 of its predecessor, and the meta
// bucket keeps the head (last seq + hash) so that cutting entries off the end is caught as well as
// altering or deleting any entry. Entries are appended inside the transaction of the change they
// record, so a change without its entry (or an entry without its change) cannot be committed.

var (
	bucketAudit = []byte("audit") // seq (8 bytes BE) → JSON AuditEntry
	bucketCases = []byte("cases") // case id + 0x00 + member id → nil, for cases with more than one message
	keyAuditHd  = []byte("audit_head")
)

// ErrAuditBroken means the audit chain failed verification; AuditReport says where.
var ErrAuditBroken = errors.New("审计记录链校验未通过")

// AuditState is what an audited change moved a record from or to.
type AuditState struct {
	Status     string `json:"status,omitempty"`
	Department string `json:"department,omitempty"`
	CaseID     string `json:"case_id,omitempty"`
}

// AuditChange is one record an entry touched, with its state before and after.
type AuditChange struct {
	ID     string     `json:"id"`
	Before AuditState `json:"before"`
	After  AuditState `json:"after"`
}

// AuditEntry is one link of the chain. Callers fill Time, Actor, Action, Reason and Detail; the
// store fills Seq, Changes (for record updates), Prev and Hash.
type AuditEntry struct {
	Seq     uint64        `json:"seq"`
	Time    time.Time     `json:"time"`
	Actor   string        `json:"actor"`
	Action  string        `json:"action"`
	Reason  string        `json:"reason,omitempty"`
	Detail  string        `json:"detail,omitempty"` // e.g. “导入 329 条” for entries that change no record
	Changes []AuditChange `json:"changes,omitempty"`
	Prev    string        `json:"prev"` // hash of the previous entry, "" for the first
	Hash    string        `json:"hash"` // SHA-256 over Prev + "\n" + the canonical encoding
}

// canonical is the entry's encoding without its hash: Go encodes struct fields in declaration
// order and times are normalised to UTC, so equal entries always give equal bytes.
func (e AuditEntry) canonical() ([]byte, error) {
	e.Hash = ""
	e.Time = e.Time.UTC()
	return json.Marshal(e)
}

// computeHash is the hash the entry must carry given its Prev.
func (e AuditEntry) computeHash() (string, error) {
	buf, err := e.canonical()
	if err != nil {
		return "", fmt.Errorf("encode audit entry %d: %w", e.Seq, err)
	}
	h := sha256.New()
	h.Write([]byte(e.Prev))
	h.Write([]byte{'\n'})
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil)), nil
}

func stateOf(r *domain.Record) AuditState {
	return AuditState{Status: r.Status, Department: r.Department, CaseID: r.CaseID}
}

type auditHead struct {
	seq  uint64
	hash string
}

func readHead(tx *bolt.Tx) (auditHead, bool) {
	v := tx.Bucket(bucketMeta).Get(keyAuditHd)
	if len(v) < 8 {
		return auditHead{}, false
	}
	return auditHead{seq: binary.BigEndian.Uint64(v[:8]), hash: string(v[8:])}, true
}

// appendAudit links e to the chain inside tx and moves the head; it returns the stored entry.
func appendAudit(tx *bolt.Tx, e AuditEntry) (AuditEntry, error) {
	b, err := tx.CreateBucketIfNotExists(bucketAudit)
	if err != nil {
		return e, fmt.Errorf("create audit bucket: %w", err)
	}
	b.FillPercent = 0.9 // append-only
	head, _ := readHead(tx)
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC()
	e.Seq, e.Prev = head.seq+1, head.hash
	if e.Hash, err = e.computeHash(); err != nil {
		return e, err
	}
	buf, err := json.Marshal(e)
	if err != nil {
		return e, fmt.Errorf("encode audit entry %d: %w", e.Seq, err)
	}
	if err := b.Put(u64(e.Seq), buf); err != nil {
		return e, fmt.Errorf("put audit entry %d: %w", e.Seq, err)
	}
	hd := append(u64(e.Seq), e.Hash...)
	if err := tx.Bucket(bucketMeta).Put(keyAuditHd, hd); err != nil {
		return e, fmt.Errorf("move audit head: %w", err)
	}
	return e, nil
}

// AppendAudit records an action that changes no record (an import batch, an export, a setting)
// as the next entry of the chain, and returns it with its seq and hash.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	if err := ctx.Err(); err != nil {
		return e, err
	}
	var out AuditEntry
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		out, err = appendAudit(tx, e)
		return err
	})
	if err != nil {
		return e, fmt.Errorf("append audit %s: %w", e.Action, err)
	}
	return out, nil
}

// UpdateAudited is Update that also appends entry to the audit chain in the same transaction,
// with the record's status, department and case before and after fn. When fn fails nothing is
// written, neither the record nor the entry.
func (s *Store) UpdateAudited(ctx context.Context, id string, entry AuditEntry, fn func(*domain.Record) error) (*domain.Record, error) {
	recs, err := s.UpdateManyAudited(ctx, []string{id}, entry, fn)
	if err != nil {
		return nil, err
	}
	return recs[0], nil
}

// UpdateManyAudited applies fn to each record of ids in ONE transaction and records them in one
// audit entry (a merge moves several records at once, or none). Any error rolls back everything.
func (s *Store) UpdateManyAudited(ctx context.Context, ids []string, entry AuditEntry, fn func(*domain.Record) error) ([]*domain.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]*domain.Record, 0, len(ids))
	err := s.db.Update(func(tx *bolt.Tx) error {
		entry.Changes = entry.Changes[:0:0]
		for _, id := range ids {
			r, change, err := updateOne(tx, id, fn)
			if err != nil {
				return err
			}
			entry.Changes = append(entry.Changes, change)
			out = append(out, r)
		}
		_, err := appendAudit(tx, entry)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// updateOne applies fn to record id inside tx, keeps the case index in step and saves it.
func updateOne(tx *bolt.Tx, id string, fn func(*domain.Record) error) (*domain.Record, AuditChange, error) {
	r, err := get(tx, id)
	if err != nil {
		return nil, AuditChange{}, err
	}
	before := stateOf(r)
	if err := fn(r); err != nil {
		return nil, AuditChange{}, err
	}
	r.ID, r.Seq = id, binary.BigEndian.Uint64(tx.Bucket(bucketIDs).Get([]byte(id)))
	if r.CaseID == "" {
		r.CaseID = r.ID
	}
	after := stateOf(r)
	if before.CaseID != after.CaseID {
		if err := moveCase(tx, r.ID, before.CaseID, after.CaseID); err != nil {
			return nil, AuditChange{}, err
		}
	}
	buf, err := json.Marshal(r)
	if err != nil {
		return nil, AuditChange{}, fmt.Errorf("encode record %s: %w", id, err)
	}
	if err := tx.Bucket(bucketRecords).Put(u64(r.Seq), buf); err != nil {
		return nil, AuditChange{}, fmt.Errorf("put record %s: %w", id, err)
	}
	return r, AuditChange{ID: id, Before: before, After: after}, nil
}

func caseKey(caseID, member string) []byte { return []byte(caseID + "\x00" + member) }

// moveCase keeps the cases bucket in step with Record.CaseID. A record that is its own case is
// listed under it only once the case has other members; CaseMembers always adds the head.
func moveCase(tx *bolt.Tx, id, from, to string) error {
	b, err := tx.CreateBucketIfNotExists(bucketCases)
	if err != nil {
		return fmt.Errorf("create cases bucket: %w", err)
	}
	if from != "" {
		if err := b.Delete(caseKey(from, id)); err != nil {
			return err
		}
	}
	if to != "" && to != id {
		if err := b.Put(caseKey(to, id), nil); err != nil {
			return err
		}
	}
	return nil
}

// CaseMembers lists the ids of the records in case caseID (the case's first record included),
// in id order. It reads an index maintained by the audited updates, so it is a prefix scan, not a
// pass over all records.
func (s *Store) CaseMembers(ctx context.Context, caseID string) ([]string, error) {
	out := []string{caseID}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCases)
		if b == nil {
			return nil
		}
		prefix := []byte(caseID + "\x00")
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if m := string(k[len(prefix):]); m != caseID {
				out = append(out, m)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list case %s: %w", caseID, err)
	}
	return out, nil
}

// AuditReport is the result of VerifyAudit. When OK is false, BadSeq names the first entry that
// fails and Problem says how, in Chinese for the officer.
type AuditReport struct {
	OK       bool   `json:"ok"`
	Entries  int    `json:"entries"`
	HeadSeq  uint64 `json:"head_seq"`
	HeadHash string `json:"head_hash"`
	BadSeq   uint64 `json:"bad_seq,omitempty"`
	Problem  string `json:"problem,omitempty"`
}

// VerifyAudit walks the whole chain: sequence numbers must be contiguous from 1, each entry's
// Prev must be its predecessor's hash and its Hash must match its content, and the last entry must
// be the head kept in the meta bucket. The first failure is reported; err is only for I/O.
func (s *Store) VerifyAudit(ctx context.Context) (AuditReport, error) {
	var rep AuditReport
	err := s.db.View(func(tx *bolt.Tx) error {
		head, hasHead := readHead(tx)
		rep.HeadSeq, rep.HeadHash = head.seq, head.hash
		fail := func(seq uint64, format string, a ...any) error {
			rep.BadSeq, rep.Problem = seq, fmt.Sprintf(format, a...)
			return nil
		}
		var prev string
		var want uint64 = 1
		if b := tx.Bucket(bucketAudit); b != nil {
			c := b.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if err := ctx.Err(); err != nil {
					return err
				}
				if len(k) != 8 {
					return fail(want, "第 %d 条之后出现无法识别的审计记录", want-1)
				}
				seq := binary.BigEndian.Uint64(k)
				if seq != want {
					return fail(want, "第 %d 条审计记录缺失（已被删除）", want)
				}
				var e AuditEntry
				if err := json.Unmarshal(v, &e); err != nil {
					return fail(seq, "第 %d 条审计记录无法读取（内容已被改动）", seq)
				}
				if e.Seq != seq {
					return fail(seq, "第 %d 条审计记录的序号被改动", seq)
				}
				if e.Prev != prev {
					return fail(seq, "第 %d 条审计记录与前一条不衔接（前序记录被改动或替换）", seq)
				}
				h, err := e.computeHash()
				if err != nil || h != e.Hash {
					return fail(seq, "第 %d 条审计记录的内容被改动（%s，%s）", seq, e.Time.In(cst).Format("2006-01-02 15:04"), e.Action)
				}
				prev = e.Hash
				rep.Entries++
				want++
			}
		}
		last := want - 1
		switch {
		case !hasHead && last == 0:
		case !hasHead:
			return fail(last, "审计链头缺失（链头记录被删除）")
		case head.seq > last:
			return fail(last+1, "第 %d 至 %d 条审计记录缺失（最新的记录被删除）", last+1, head.seq)
		case head.seq < last || head.hash != prev:
			return fail(last, "第 %d 条审计记录与链头不符（最新的记录被改动）", last)
		}
		rep.OK = true
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("verify audit chain: %w", err)
	}
	return rep, nil
}

// cst is China Standard Time, in which entries are shown to officers.
var cst = time.FixedZone("CST", 8*3600)

// ScanAudit calls fn for every entry with Seq > after, oldest first.
func (s *Store) ScanAudit(ctx context.Context, after uint64, fn func(AuditEntry) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode audit entry %x: %w", k, err)
			}
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	})
}

// auditHeaders are the columns of the XLSX export, in Chinese for the officers who read it.
var auditHeaders = []any{"序号", "时间", "操作人", "操作", "记录编号", "原状态", "新状态", "原部门", "新部门", "原案件", "新案件", "原因", "说明", "前一条哈希", "本条哈希"}

// WriteAuditXLSX writes the whole chain as a workbook with one row per record an entry touched
// (an entry that touched none, such as an import batch, has one row), so it can be filtered by
// record in a spreadsheet. The hashes are included so the copy can be checked against the chain.
// It returns the number of entries written.
func (s *Store) WriteAuditXLSX(ctx context.Context, w io.Writer) (int, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "审计记录"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return 0, fmt.Errorf("name audit sheet: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return 0, fmt.Errorf("open audit sheet: %w", err)
	}
	if err := sw.SetColWidth(2, 2, 20); err != nil {
		return 0, err
	}
	if err := sw.SetRow("A1", auditHeaders); err != nil {
		return 0, fmt.Errorf("write audit header: %w", err)
	}
	row, n := 2, 0
	put := func(vals []any) error {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(cell, vals)
	}
	err = s.ScanAudit(ctx, 0, func(e AuditEntry) error {
		n++
		base := func(ch AuditChange) []any {
			return []any{e.Seq, e.Time.In(cst).Format("2006-01-02 15:04:05"), e.Actor, e.Action, ch.ID,
				ch.Before.Status, ch.After.Status, ch.Before.Department, ch.After.Department,
				ch.Before.CaseID, ch.After.CaseID, e.Reason, e.Detail, e.Prev, e.Hash}
		}
		if len(e.Changes) == 0 {
			return put(base(AuditChange{}))
		}
		for _, ch := range e.Changes {
			if err := put(base(ch)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("export audit: %w", err)
	}
	if err := sw.Flush(); err != nil {
		return n, fmt.Errorf("export audit: %w", err)
	}
	if err := f.Write(w); err != nil {
		return n, fmt.Errorf("write audit workbook: %w", err)
	}
	return n, nil
}

// AuditedStep is one change of ApplyAudited: fn mutates record ID, and Entry records it.
type AuditedStep struct {
	ID    string
	Entry AuditEntry
	Fn    func(*domain.Record) error
}

// ApplyAudited applies many audited changes in one transaction, in order (a record may change
// several times; each step sees the previous ones), each with its own audit entry. It is for
// bulk work such as seeding a demo's case history, where a transaction per step would spend
// seconds on disk syncs. Any error leaves nothing applied.
func (s *Store) ApplyAudited(ctx context.Context, steps []AuditedStep) ([]*domain.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	last := map[string]*domain.Record{}
	var order []string
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, st := range steps {
			r, change, err := updateOne(tx, st.ID, st.Fn)
			if err != nil {
				return fmt.Errorf("record %s: %w", st.ID, err)
			}
			e := st.Entry
			e.Changes = []AuditChange{change}
			if _, err := appendAudit(tx, e); err != nil {
				return err
			}
			if _, seen := last[st.ID]; !seen {
				order = append(order, st.ID)
			}
			last[st.ID] = r
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Record, 0, len(order))
	for _, id := range order {
		out = append(out, last[id])
	}
	return out, nil
}
