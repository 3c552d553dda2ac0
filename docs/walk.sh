#!/bin/sh
# Walk the desktop app as a user would, and photograph every step:
#   docs/walk.sh [light|dark|2x] [OUT-DIR]
# Xvfb with openbox (window manager) and trayer (the tray host), real repositories
# whose remotes a `git daemon` on loopback serves (one diverged with a second branch
# behind, one that will conflict, one auto-committing a file over its size limit, one
# whose remote is down, one with a very long name, one with a branch checked out in a
# linked worktree), the app itself, xdotool for the
# keyboard and mouse, `import -window root` for the screen; then the History after
# Sync all pushed, and syncing paused from the tray. Look at every PNG it writes.
# TMPDIR: where its scratch folder goes (/tmp).
# Needs: make deps DEBS="openbox trayer xdotool imagemagick" and the Makefile's X_DEBS.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
variant=${1:-light}
py=${PYTHON:-$here/.venv/bin/python}
[ -x "$py" ] || { echo "$0: no $py: run make deps, or set PYTHON to an interpreter with Gitferry's dependencies" >&2; exit 2; }
out=${2:-$(mktemp -d /tmp/gitferry-walk.XXXXXX)}
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/gitferry-walk-work.XXXXXX")
gitferry() { PYTHONPATH=$here GITFERRY_HOME=$work/home "$py" -c 'import sys; from core.cli import main; sys.exit(main())' "$@"; }

screen=1400x900
scale=1
case $variant in
  light) scheme=light ;;
  dark) scheme=dark ;;
  2x) scheme=light; scale=2; screen=2400x1600 ;;
  *) echo "usage: $0 [light|dark|2x] [OUT-DIR]" >&2; exit 2 ;;
esac

pids=""
stop() {
  for pid in $pids; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in $pids; do kill -9 "$pid" 2>/dev/null || true; done
}
trap stop EXIT

# The remotes ---------------------------------------------------------------------------
port=$((20000 + $$ % 20000))
mkdir -p "$work/srv" "$work/seed"
git config --global --get user.email >/dev/null 2>&1 || export GIT_AUTHOR_NAME=walk GIT_AUTHOR_EMAIL=walk@example.org \
  GIT_COMMITTER_NAME=walk GIT_COMMITTER_EMAIL=walk@example.org
long=a-repository-whose-name-goes-on-and-on-and-on-far-longer-than-any-column-could-ever-hold
for name in notes website thesis photos offline "$long"; do
  git init -q --bare -b main "$work/srv/$name.git"
  git init -q -b main "$work/seed/$name"
  (cd "$work/seed/$name" && echo "# $name" >README.md && echo "first draft" >chapter.md &&
    git add . && git commit -qm "start $name" && git push -q "$work/srv/$name.git" main)
done
git daemon --reuseaddr --base-path="$work/srv" --export-all --enable=receive-pack \
  --listen=127.0.0.1 --port=$port "$work/srv" >/dev/null 2>&1 &
pids="$pids $!"
sleep 1
for name in notes website thesis photos offline "$long"; do
  git clone -q "git://127.0.0.1:$port/$name.git" "$work/$name"
done
# website: 1 commit here, 2 on the remote (diverged, no conflict); and a second branch,
# drafts, 1 behind its upstream: the Result sums up both, never the first alone
(cd "$work/seed/website" && git checkout -q -b drafts && echo d >drafts.md && git add . && git commit -qm "drafts" &&
  git push -q "$work/srv/website.git" drafts && git checkout -q main)
(cd "$work/website" && git fetch -q && git branch -q --track drafts origin/drafts &&
  echo mine >mine.md && git add . && git commit -qm "mine")
(cd "$work/seed/website" && for i in 1 2; do echo "$i" >"theirs$i.md"; git add .; git commit -qm "theirs $i"; done &&
  git push -q "$work/srv/website.git" main && git checkout -q drafts && echo more >>drafts.md && git commit -qam "more" &&
  git push -q "$work/srv/website.git" drafts)
# notes: topic, tracked here and checked out in a linked worktree (git worktree add),
# 1 behind once fetched: git never moves it from here, so even with fast_forward_all on
# it is never "to sync"; the window says where it is checked out
(cd "$work/seed/notes" && git checkout -q -b topic && echo t >topic.md && git add . && git commit -qm "topic" &&
  git push -q "$work/srv/notes.git" topic)
(cd "$work/notes" && git fetch -q && git branch -q --track topic origin/topic &&
  git worktree add -q "$work/notes-topic" topic)
(cd "$work/seed/notes" && echo more >>topic.md && git commit -qam "more" && git push -q "$work/srv/notes.git" topic &&
  git checkout -q main)
# thesis: both sides edit the same line (a sync stops on a conflict)
(cd "$work/thesis" && echo "my version" >chapter.md && git commit -qam "mine")
(cd "$work/seed/thesis" && echo "their version" >chapter.md && git commit -qam "theirs" &&
  git push -q "$work/srv/thesis.git" main)
# photos: auto-commit, one file over the 1 MiB limit (skipped)
head -c 2097152 /dev/zero >"$work/photos/video.bin"
echo "a caption" >"$work/photos/caption.md"
# offline: its remote refuses every connection
git -C "$work/offline" remote set-url origin "git://127.0.0.1:9/offline.git"

for name in notes website thesis offline "$long"; do gitferry add "$work/$name" >/dev/null; done
gitferry add --auto-commit "$work/photos" >/dev/null
for setting in "photos max_file_size 1048576" "website fetch_interval 3" "offline fetch_interval 3" \
  "notes fast_forward_all true"; do
  gitferry set $setting >/dev/null
done

# The desktop -------------------------------------------------------------------------
# Xvfb picks a display no other X server holds and says which (-displayfd): a number made up
# here could be another walk's or a developer's Xvfb, whose windows the screenshots then showed.
Xvfb -displayfd 3 -screen 0 "${screen}x24" -nolisten tcp 3>"$work/display" >/dev/null 2>&1 &
pids="$pids $!"
for _ in $(seq 50); do [ -s "$work/display" ] && break; sleep 0.1; done
[ -s "$work/display" ] || { echo "walk: Xvfb did not start" >&2; exit 1; }
export DISPLAY=:$(cat "$work/display")
openbox >/dev/null 2>&1 &
pids="$pids $!"
trayer --edge top --align right --widthtype request --height $((24 * scale)) --SetDockType true \
  --transparent false --tint 0x303030 >/dev/null 2>&1 &
pids="$pids $!"
sleep 1

start_app() {
  env PYTHONPATH="$here" GITFERRY_HOME="$work/home" GITFERRY_COLOR_SCHEME=$scheme QT_SCALE_FACTOR=$scale \
    QT_QPA_PLATFORM=xcb "$py" -c 'import sys; from gui.app import main; sys.exit(main())' >>"$work/app.log" 2>&1 &
  app=$!
  pids="$pids $app"
  sleep 6
  kill -0 "$app"
  window=$(xdotool search --sync --onlyvisible --name '^Gitferry$' | head -1)
  xdotool windowactivate --sync "$window" 2>/dev/null || xdotool windowfocus "$window"
  eval "$(xdotool getwindowgeometry --shell "$window")"
  wx=$X wy=$Y
}
shot() {
  sleep "${2:-1}"
  import -window root "$out/$variant-$1.png"
  echo "$out/$variant-$1.png"
}
keys() { xdotool key --delay 120 "$@"; }
tray_icon() {  # the middle of the tray's first icon: trayer's dock window, at the top right
  for tray in $(xdotool search --onlyvisible --class trayer); do
    eval "$(xdotool getwindowgeometry --shell "$tray")"
    [ "$WIDTH" -gt 1 ] && [ "$X" -gt 0 ] && break
  done
  echo "$((X + WIDTH - 12 * scale)) $((Y + HEIGHT / 2))"
}

start_app
shot 01-start 4
# The list by name: the long one, notes, offline, photos, thesis, website.
xdotool mousemove $((wx + 60 * scale)) $((wy + 80 * scale)) click 1  # into the list
keys ctrl+Home Down Down Down Down Return              # thesis: Enter syncs it, it stops on a conflict
shot 02-conflict 5
keys Down                                              # website: the background fetch found it diverged
shot 03-diverged 2
keys Up Up Return                                      # photos: an auto-commit sync skips video.bin
sleep 5
keys Tab Right Right                                   # Tab leaves the list to the tabs; Skipped files
shot 04-skipped 2
keys Tab Tab                                           # on to the table, then Retry
shot 05-keyboard 1
keys shift+Tab shift+Tab shift+Tab Up                  # back to the list: offline
shot 06-offline 2
set -- $(tray_icon)
xdotool mousemove "$1" "$2"
shot 07-tray-tooltip 3
xdotool click 3
shot 08-tray-menu 2
keys Escape
xdotool windowactivate --sync "$window" 2>/dev/null || true
keys ctrl+shift+s                                      # Sync all
shot 09-sync-all 8
xdotool windowsize "$window" $((1000 * scale)) $((620 * scale)) windowmove "$window" 40 60  # then quit
sleep 1
kill "$app"; wait "$app" 2>/dev/null || true
start_app                                              # remembered: size and place, selection, tab
shot 10-restarted 2
hover() {  # the pointer to $1 $2, moving on to it (a tooltip wants motion over the widget)
  xdotool mousemove $(($1 - 6)) $(($2 - 2))
  sleep 0.3
  xdotool mousemove "$1" "$2"
}
xdotool mousemove $((wx + 60 * scale)) $((wy + 80 * scale)) click 1
keys ctrl+Home Down Down Down Down Down Tab Right Right Right  # website's History: merged and pushed by Sync all
shot 11-history-undo 2
keys shift+Tab ctrl+Home Down Tab Left Left Left       # notes' Branches: topic, checked out in notes-topic
shot 12-worktree 2
set -- $(tray_icon)
xdotool mousemove "$1" "$2" click 3
sleep 1
keys Up Up Up Up Up Return                             # the tray's Pause syncing: one name everywhere
xdotool mousemove $((wx + 60 * scale)) $((wy + 400 * scale))
sleep 1
hover "$1" "$2"
shot 13-paused-tray-tooltip 3
xdotool click 3
shot 14-paused-tray-menu 2
keys Escape
echo "walk $variant: $(ls "$out" | grep -c "^$variant-") screenshots in $out (log: $work/app.log)"
