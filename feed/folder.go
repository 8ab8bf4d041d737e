package feed

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"minyi/domain"
)

// settleTime is how long a file must be unchanged before a folder source reads it, so a file
// still being copied in is not read half-written.
const settleTime = 5 * time.Second

// folder reads every new or changed .csv/.tsv/.xlsx/.jsonl file of the source's folder once.
// A file is known by name, size and modification time (State.SeenFiles); files that vanished are
// forgotten. A file that cannot be read at all is recorded too, with its reason in Errors, so it
// is not retried on every pull, and is read again once it changes.
func (p *pull) folder(ctx context.Context) error {
	dir := strings.TrimSpace(p.src.Folder)
	if dir == "" {
		return newUserError(fmt.Sprintf("数据源“%s”没有填写文件夹", p.src.Name), ErrBadSource)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return newUserError(fmt.Sprintf("无法打开文件夹 %s：%v", dir, err), ErrBadSource, err)
	}
	now := p.f.opt.Now()
	seenFiles := make(map[string]string)
	var names []string
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || strings.HasPrefix(e.Name(), "~$") {
			continue
		}
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".csv", ".tsv", ".xlsx", ".xlsm", ".jsonl", ".ndjson", ".json":
		default:
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		key := fmt.Sprintf("%d:%d", info.Size(), info.ModTime().UnixNano())
		if p.old.SeenFiles[e.Name()] == key {
			seenFiles[e.Name()] = key
			continue
		}
		if now.Sub(info.ModTime()) < settleTime {
			continue // still being written; next pull
		}
		names = append(names, e.Name())
		seenFiles[e.Name()] = key
	}
	sort.Strings(names)
	maxLine := int(p.lim.maxBytes)
	for _, name := range names {
		path := filepath.Join(dir, name)
		opt := ReadOptions{Source: p.src.Name, Channel: p.channel, MaxLine: min(maxLine, DefaultMaxLine)}
		st, err := readFile(ctx, path, opt, p.src.Mapping.Columns, func(line int, it domain.Item) error {
			p.add(it, fmt.Sprintf("%s 第 %d 行", name, line))
			return nil
		})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			p.batch.Errors = append(p.batch.Errors, fmt.Sprintf("%s：%v", name, err))
		}
		p.batch.Read += st.Rejected
		p.batch.Rejected += st.Rejected
		for _, e := range st.Errors {
			if len(p.batch.Errors) < maxListed {
				p.batch.Errors = append(p.batch.Errors, fmt.Sprintf("%s 第 %d 行：%s", name, e.Line, e.Error))
			}
		}
	}
	p.batch.State.SeenFiles = seenFiles
	return nil
}
