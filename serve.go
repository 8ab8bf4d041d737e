package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"minyi/app"
)

// assets is the built frontend (frontend/dist, made by `npm run build`). The directory always
// holds a .gitkeep so that the embed compiles before the frontend is built.
//
//go:embed all:frontend/dist
var assets embed.FS

// frontendFS returns the built frontend, or an error saying how to build it.
func frontendFS() (fs.FS, error) {
	dist, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		return nil, err
	}
	if _, err := fs.Stat(dist, "index.html"); err != nil {
		return nil, errors.New("此二进制未包含界面文件：请先在 frontend/ 中运行 npm ci && npm run build，再编译")
	}
	return dist, nil
}

func cmdServe(env *cliEnv, args []string) error {
	fset := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fset.String("addr", "127.0.0.1:8686", "")
	demo := fset.Bool("demo", false, "")
	if _, err := parseFlags(fset, args); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usageErr("--addr 应为 127.0.0.1:端口")
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return usageErr("serve 只在本机回环地址上提供服务（如 127.0.0.1:8686），以免他人访问未脱敏的数据")
	}
	dist, err := frontendFS()
	if err != nil {
		return err
	}
	p, err := env.open(slog.LevelInfo)
	if err != nil {
		return err
	}
	defer p.Close()
	if *demo {
		res, err := p.core.LoadDemo(env.ctx)
		if err != nil {
			return err
		}
		p.log.Info("demo data loaded", "new", res.New, "duplicate", res.Duplicate)
	}
	ctx, cancel := context.WithCancel(env.ctx)
	defer cancel()
	if err := p.core.ServeControl(ctx, env.socketPath()); err != nil {
		p.log.Warn("control socket unavailable; backups must wait for the console to stop", "err", err)
	}
	defer app.StartScheduler(ctx, p.core).Stop() // scheduled pulls; Stop waits for running ones
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("无法监听 %s（端口是否已被占用？）：%w", *addr, err)
	}
	ui := app.NewApp(p.core, func() context.Context { return ctx })
	srv := &http.Server{Handler: app.NewHandler(ui, dist), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(env.stdout, "民意已启动：http://%s/\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		return err
	}
	shutdown, done := context.WithTimeout(context.Background(), 10*time.Second)
	defer done()
	return srv.Shutdown(shutdown)
}
