#!/usr/bin/env bash
# desktop-smoke.sh starts the real desktop window under Xvfb with the demo data, types a search
# with xdotool as an officer would (click the top bar's search box, type, Enter), and checks that the search ran
# and found messages; it leaves a screenshot in docs/screenshots/desktop.png.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./minyi-desktop
[ -x "$bin" ] || { echo "desktop-smoke: $bin missing (run build/setup.sh)" >&2; exit 1; }
shots="${MINYI_SCREENSHOTS:-docs/screenshots}"
mkdir -p "$shots"
work=$(mktemp -d)
display=":$((90 + RANDOM % 9))"
cleanup() {
  [ -n "${app:-}" ] && kill "$app" 2>/dev/null || true
  [ -n "${xvfb:-}" ] && kill "$xvfb" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" --data "$work/data" demo >/dev/null
Xvfb "$display" -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
export DISPLAY="$display" WEBKIT_DISABLE_COMPOSITING_MODE=1 NO_AT_BRIDGE=1
for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.2; done

"$bin" --data "$work/data" >"$work/app.log" 2>&1 &
app=$!
win=""
for _ in $(seq 120); do
  win=$(xdotool search --name "民意" 2>/dev/null | head -1 || true)
  [ -n "$win" ] && break
  kill -0 "$app" 2>/dev/null || { echo "desktop-smoke: the app exited:" >&2; cat "$work/app.log" >&2; exit 1; }
  sleep 0.5
done
[ -n "$win" ] || { echo "desktop-smoke: no window titled 民意 within 60 s" >&2; cat "$work/app.log" >&2; exit 1; }

# Wait until the frontend has asked for the inbox: the UI is up.
for _ in $(seq 120); do grep -q 'msg=inbox' "$work/app.log" && break; sleep 0.5; done
grep -q 'msg=inbox' "$work/app.log" || { echo "desktop-smoke: the UI never loaded the inbox" >&2; cat "$work/app.log" >&2; exit 1; }
sleep 1
xdotool windowfocus --sync "$win" 2>/dev/null || true
# The global search box sits in the top bar, left of centre, in the 1440×900 window.
xdotool mousemove --window "$win" 460 22 click 1
sleep 0.5
# xdotool types CJK by remapping a spare keycode, and the X server drops the first such key of
# the session: type a warm-up character, clear the box, then type the query.
xdotool type --delay 250 "土"
sleep 0.3
xdotool key ctrl+a BackSpace
sleep 0.3
xdotool type --delay 250 "渣土"
xdotool key Return
for _ in $(seq 40); do grep -q 'msg=search.*query=渣土' "$work/app.log" && break; sleep 0.5; done
sleep 1.5
import -window root "$shots/desktop.png"
line=$(grep 'msg=search.*query=渣土' "$work/app.log" | tail -1 || true)
if [ -z "$line" ]; then
  echo "desktop-smoke: typing 渣土 did not run a search" >&2
  cat "$work/app.log" >&2
  exit 1
fi
total=$(sed -n 's/.*total=\([0-9]*\).*/\1/p' <<<"$line")
if [ "${total:-0}" -lt 1 ]; then
  echo "desktop-smoke: the search found nothing: $line" >&2
  exit 1
fi
echo "desktop-smoke: window up, search 渣土 found $total messages; screenshot $shots/desktop.png"
echo "1 passed, 0 failed"
