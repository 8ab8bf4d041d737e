#!/usr/bin/env bash
# run-demo.sh sets Minyi up and opens the console with the built-in demo data: the desktop window
# when a display exists, otherwise `serve` on http://127.0.0.1:8686/ (the URL is printed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh
export MINYI_DATA="${MINYI_DATA:-$HOME/.local/share/minyi-demo}"
./minyi demo
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec ./minyi-desktop
fi
exec ./minyi serve --addr "${MINYI_ADDR:-127.0.0.1:8686}"
