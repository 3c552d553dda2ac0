#!/bin/sh
# Start the bundled app under Xvfb in a clean environment and grab the screen:
#   packaging/bundle_screenshot.sh [HOME-with-repositories] [out.png]
# Grabs the status window (the top-level window of class gitferry). Needs the Debian
# packages xvfb, x11-apps (xwininfo, xwd) and imagemagick (convert).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
home=${1:-$(mktemp -d)}
out=${2:-$here/docs/bundle-window.png}
display=:$((90 + $$ % 9))
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
stop() { kill "$app" 2>/dev/null && wait "$app" 2>/dev/null; kill "$xvfb" 2>/dev/null || true; }
trap stop EXIT
sleep 1
(cd "$here/dist/gitferry" && exec env -i HOME="$home" PATH=/usr/bin:/bin DISPLAY="$display" ./gitferry) &
app=$!
sleep "${WAIT:-6}"
kill -0 "$app"  # still running: it started and did not fail
window=$(xwininfo -display "$display" -root -children | awk '/\("gitferry" "Gitferry"\)/ {print $1; exit}')
xwd -id "$window" -display "$display" -silent | convert xwd:- "$out"
echo "screenshot: $out"
