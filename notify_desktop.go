//go:build desktop && linux

package main

import (
	"log/slog"

	"github.com/godbus/dbus/v5"
)

// desktopNotifier shows new alerts as freedesktop desktop notifications over the session bus, so
// PR staff see a flaring topic even when the console is behind other windows. It returns nil
// (no notifications) when there is no session bus; a failed notification is logged, never fatal.
func desktopNotifier(log *slog.Logger) func(title, body string) {
	conn, err := dbus.SessionBus()
	if err != nil {
		log.Warn("desktop notifications unavailable (no D-Bus session bus)", "err", err)
		return nil
	}
	obj := conn.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
	return func(title, body string) {
		call := obj.Go("org.freedesktop.Notifications.Notify", 0, nil,
			"民意", uint32(0), "dialog-warning", title, body, []string{}, map[string]dbus.Variant{}, int32(15000))
		go func() {
			if c := <-call.Done; c.Err != nil {
				log.Warn("desktop notification", "err", c.Err)
			}
		}()
	}
}
