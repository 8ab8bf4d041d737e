//go:build desktop && !linux

package main

import "log/slog"

// desktopNotifier: on Windows and macOS the in-window alert notifications are what the officer sees.
func desktopNotifier(log *slog.Logger) func(title, body string) { return nil }
