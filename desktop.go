//go:build desktop

package main

import (
	"context"
	"log/slog"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"

	"minyi/app"
)

// runDesktop opens the console window. The window's frontend calls App's methods directly.
func runDesktop(env *cliEnv) error {
	dist, err := frontendFS()
	if err != nil {
		return err
	}
	p, err := env.open(slog.LevelInfo)
	if err != nil {
		return err
	}
	defer p.Close()
	ctx, cancel := context.WithCancel(env.ctx)
	defer cancel()
	if err := p.core.ServeControl(ctx, env.socketPath()); err != nil {
		p.log.Warn("control socket unavailable", "err", err)
	}
	p.core.Notify = desktopNotifier(p.log)       // new alerts also pop up on the desktop
	defer app.StartScheduler(ctx, p.core).Stop() // scheduled pulls; Stop waits for running ones
	winCtx := ctx
	ui := app.NewApp(p.core, func() context.Context { return winCtx })
	return wails.Run(&options.App{
		Title:     "民意 · 政务民意工作台",
		Width:     1440,
		Height:    900,
		MinWidth:  1024,
		MinHeight: 640,
		AssetServer: &assetserver.Options{
			Assets: dist,
		},
		OnStartup:  func(c context.Context) { winCtx = c },
		OnShutdown: func(context.Context) { cancel() },
		Bind:       []any{ui},
	})
}
