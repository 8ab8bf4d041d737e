#!/usr/bin/env bash
# test.sh sets Minyi up and runs the whole test suite: vet, the unit tests of every package
# (CGO_ENABLED=0, real bbolt and bleve in temp dirs), the end-to-end test that drives `serve`
# in Debian chromium, and the desktop smoke test under Xvfb. Screenshots land in docs/screenshots.
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh
export MINYI_E2E=1 MINYI_SCREENSHOTS="$PWD/docs/screenshots"
echo "==> go vet"
CGO_ENABLED=0 go vet ./...
echo "==> go test"
CGO_ENABLED=0 go test -count=1 -timeout 30m ./...
echo "==> desktop smoke test"
bash build/desktop-smoke.sh
