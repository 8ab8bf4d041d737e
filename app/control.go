package app

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// The control socket lets a second `minyi` process ask the running console for things that need
// the open database, such as a consistent backup, without fighting over the file lock.

// ControlRequest is one line a client sends on the control socket.
type ControlRequest struct {
	Op   string `json:"op"`   // "backup"
	Path string `json:"path"` // absolute destination for backup
}

// ControlReply is the console's one-line answer.
type ControlReply struct {
	Bytes int64  `json:"bytes"`
	Error string `json:"error,omitempty"`
}

// ServeControl listens on the unix socket at path until ctx ends.
func (c *Core) ServeControl(ctx context.Context, path string) error {
	os.Remove(path) // a socket left by a crashed run; the store lock proves no live owner
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("listen on control socket %s: %w", path, err)
	}
	os.Chmod(path, 0o600)
	go func() {
		<-ctx.Done()
		ln.Close()
		os.Remove(path)
	}()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go c.handleControl(ctx, conn)
		}
	}()
	return nil
}

func (c *Core) handleControl(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Minute))
	var req ControlRequest
	if err := json.NewDecoder(bufio.NewReader(conn)).Decode(&req); err != nil {
		json.NewEncoder(conn).Encode(ControlReply{Error: "请求格式错误"})
		return
	}
	var rep ControlReply
	switch req.Op {
	case "backup":
		if !filepath.IsAbs(req.Path) {
			rep.Error = "备份路径必须是绝对路径"
			break
		}
		n, err := c.Store.BackupFile(ctx, req.Path)
		rep.Bytes = n
		if err != nil {
			rep.Error = err.Error()
		}
	default:
		rep.Error = "未知操作：" + req.Op
	}
	json.NewEncoder(conn).Encode(rep)
}

// ErrNoConsole means no running console answered on the control socket.
var ErrNoConsole = errors.New("没有正在运行的民意控制台")

// AskConsole sends req to the console running on the data directory's control socket.
func AskConsole(ctx context.Context, socket string, req ControlRequest) (ControlReply, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", socket)
	if err != nil {
		return ControlReply{}, fmt.Errorf("%w: %v", ErrNoConsole, err)
	}
	defer conn.Close()
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return ControlReply{}, err
	}
	var rep ControlReply
	if err := json.NewDecoder(conn).Decode(&rep); err != nil {
		return ControlReply{}, fmt.Errorf("read console reply: %w", err)
	}
	if rep.Error != "" {
		return rep, errors.New(rep.Error)
	}
	return rep, nil
}
