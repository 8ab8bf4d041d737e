package store

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// UpdateDoc reads, changes and writes the named JSON document in one write transaction, so two
// editors of the same document (the 数据源 screen and the config-file import) never lose each
// other's change. fn gets the stored JSON (nil when absent) and returns the new JSON; returning
// nil deletes the document, returning an error leaves it unchanged and is returned.
func (s *Store) UpdateDoc(ctx context.Context, name string, fn func(old []byte) ([]byte, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKV)
		var old []byte
		if v := b.Get([]byte(name)); v != nil {
			old = append([]byte(nil), v...) // bbolt's memory is only valid inside the transaction
		}
		buf, err := fn(old)
		if err != nil {
			return err
		}
		if buf == nil {
			return b.Delete([]byte(name))
		}
		return b.Put([]byte(name), buf)
	})
	if err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	return nil
}

// DeleteDoc removes the named documents; absent ones are ignored. One transaction, so a deleted
// source's cursor and health disappear together.
func (s *Store) DeleteDoc(ctx context.Context, names ...string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKV)
		for _, n := range names {
			if err := b.Delete([]byte(n)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete %v: %w", names, err)
	}
	return nil
}

// PutDocs stores several named JSON documents in one transaction (a source's cursor and its
// health after a pull), so a crash leaves either all of them or none.
func (s *Store) PutDocs(ctx context.Context, docs map[string]any) error {
	bufs := make(map[string][]byte, len(docs))
	for name, v := range docs {
		buf, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s: %w", name, err)
		}
		bufs[name] = buf
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKV)
		for name, buf := range bufs {
			if err := b.Put([]byte(name), buf); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put documents: %w", err)
	}
	return nil
}
