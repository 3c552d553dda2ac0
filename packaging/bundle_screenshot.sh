#!/bin/sh
# Start the bundled app under Xvfb in a clean environment and grab the screen:
#   packaging/bundle_screenshot.sh [HOME-with-repositories] [out.png]
# Grabs the status window (the top-level window of class gitferry). Needs the Debian
# packages xvfb, x11-apps (xwininfo, xwd) and imagemagick (convert).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
home=${1:-$(mktemp -d)}
out=${2:-$here/docs/bundle-window.png}
# Xvfb picks a display no other X server holds and says which (-displayfd), so the
# screenshot is never of another Xvfb's windows.
number=$(mktemp)
Xvfb -displayfd 3 -screen 0 1400x900x24 -nolisten tcp 3>"$number" >/dev/null 2>&1 &
xvfb=$!
app=""
stop() {
  if [ -n "$app" ]; then kill "$app" 2>/dev/null && wait "$app" 2>/dev/null || true; fi
  kill "$xvfb" 2>/dev/null || true
  rm -f "$number"
}
trap stop EXIT
for _ in $(seq 50); do [ -s "$number" ] && break; sleep 0.1; done
[ -s "$number" ] || { echo "Xvfb did not start" >&2; exit 1; }
display=:$(cat "$number")
(cd "$here/dist/gitferry" && exec env -i HOME="$home" PATH=/usr/bin:/bin DISPLAY="$display" ./gitferry) &
app=$!
sleep "${WAIT:-6}"
kill -0 "$app"  # still running: it started and did not fail
window=$(xwininfo -display "$display" -root -children | awk '/\("gitferry" "Gitferry"\)/ {print $1; exit}')
xwd -id "$window" -display "$display" -silent | convert xwd:- "$out"
echo "screenshot: $out"
