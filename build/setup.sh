#!/usr/bin/env bash
# setup.sh installs what Minyi needs on a fresh Debian 12 machine (run as root) and builds
# both binaries: ./minyi (headless CLI + serve, no cgo) and ./minyi-desktop (adds the window).
# It is idempotent: what is already installed or up to date is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.0-dev xvfb xdotool imagemagick
  chromium fonts-wqy-microhei ca-certificates git)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v go >/dev/null 2>&1; then
  export PATH="$PATH:/usr/local/go/bin"
fi
command -v go >/dev/null 2>&1 || { echo "需要 Go 1.26（/usr/local/go）：请先安装 Go，再运行本脚本" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "需要 Node.js 20 与 npm：请先安装，再运行本脚本" >&2; exit 1; }

echo "==> frontend (npm ci && npm run build)"
(cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build >/dev/null)
touch frontend/dist/.gitkeep # vite empties dist/; //go:embed all:frontend/dist needs it

echo "==> go build (headless ./minyi and desktop ./minyi-desktop)"
CGO_ENABLED=0 go build -trimpath -o minyi .
go build -trimpath -tags desktop,production -o minyi-desktop .
echo "==> built ./minyi and ./minyi-desktop"
