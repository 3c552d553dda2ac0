# The two commands a newcomer needs: `make run` and `make test`.
# Each sets up .venv (and the Debian packages the tests need) by itself.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Qt's xcb platform: the app on an X server (the test of an X server that goes away, under
# Xvfb; make screenshots; the walk; the bundle's screenshot script).
XCB_DEBS := libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 \
	libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0
DEBS := git git-lfs openssh-server gnupg xvfb desktop-file-utils appstream libglib2.0-bin dbus-daemon dunst \
	$(XCB_DEBS)
# Screenshots under Xvfb (`import`, `xwd`).
X_DEBS := $(XCB_DEBS) x11-apps imagemagick
# The walk through the app as a user (docs/walk.sh): a window manager, a tray host, a hand on the keys.
WALK_DEBS := openbox trayer xdotool

.PHONY: run test test-quick lint bench deps venv clean screenshots bundle translations walk

# The checkout goes on the path as a plain line in a .pth file (setuptools' compat editable
# mode), as a wheel's install has its packages: no import hook for `site` to load in every
# process (setuptools' default editable finder imports pathlib, importlib.util, urllib.parse
# and re before the command starts: `gitferry --version` 21 -> 12 ms of CPU, a cold sync 1 to
# 3 ms; docs/PERFORMANCE.md, "Cold start"). setuptools calls the mode transitional: should it
# go, the default editable install follows.
EDITABLE := -e '.[dev]' --config-settings editable_mode=compat

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q $(EDITABLE) || $(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# Debian packages for the test servers (git daemon, http-backend, sshd), git-lfs (the referee of the
# Git LFS tests), gpg (the signed-commit tests make a key), Xvfb and the desktop-metadata validators
# (desktop-file-validate, appstreamcli, gio), dbus-daemon and dunst (a real notification server for
# the desktop-notification tests, on a private session bus and its own Xvfb display).
deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# The desktop app (tray and status window); `make run ARGS="status"` runs a CLI command instead.
run: $(STAMP)
	$(BIN)/gitferry $(ARGS)

# English's plural forms ("1 repository"): resources/translations/gitferry_en.ts and .qm;
# every other language's .ts brought up to the code's texts (new ones unfinished, for a
# translator to fill in with pyside6-linguist) and compiled.
translations: $(STAMP)
	$(BIN)/python packaging/plurals_en.py
	$(BIN)/python packaging/translations.py

# Walk the app under Xvfb (openbox, trayer, xdotool) in a light and a dark palette and at 2x;
# the screenshots land in WALK_OUT: look at each one.
WALK_OUT ?= /tmp/gitferry-walk
walk: deps $(STAMP)
	@$(MAKE) --no-print-directory deps DEBS="$(X_DEBS) $(WALK_DEBS)"
	for variant in light dark 2x; do PYTHON=$(BIN)/python docs/walk.sh $$variant $(WALK_OUT) || exit 1; done

# The README's screenshots of the real windows, under Xvfb.
screenshots: deps $(STAMP)
	@$(MAKE) --no-print-directory deps DEBS="$(X_DEBS)"
	xvfb-run -a -s "-screen 0 1400x900x24" $(BIN)/python docs/screenshots.py
	xvfb-run -a -s "-screen 0 1400x900x24" $(BIN)/python docs/conflict_screenshots.py
	LANGUAGE=de LANG=de_DE.UTF-8 xvfb-run -a -s "-screen 0 1400x900x24" $(BIN)/python docs/german_screenshots.py /tmp/gitferry-de
	cp /tmp/gitferry-de/status-window.png docs/status-window-de.png

lint: $(STAMP)
	$(BIN)/ruff check core gui tests bench docs packaging
	$(BIN)/ruff format --check core
	$(BIN)/mypy --strict core
	$(BIN)/mypy gui

# The suite on TEST_WORKERS processes (pytest-xdist), a test file to each in turn (`loadfile`:
# a module's shared fixtures are made once). Most of a test's time is spent waiting on git,
# servers and subprocesses (the run's own process used about a tenth of a core), so two
# workers finish well before one (README, "Tests"); `make test TEST_WORKERS=0` runs it in one process.
# A worker that crashes (or that tests/conftest.py's watchdog ends) is replaced once: xdist runs
# the test it was running again, so a test that always crashes would cost each of the eight
# replacements its default allows; the second crash ends the run instead.
TEST_WORKERS ?= 2
WORKERS := -n $(TEST_WORKERS) --dist loadfile --max-worker-restart 1
test: deps $(STAMP) lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q -p no:cacheprovider $(WORKERS) $(PYTEST_ARGS)

# The tests without the `slow` marker (each of those takes over a second), and no lint:
# the quick loop while developing. `make test` (and CI) still run everything.
test-quick: deps $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q -p no:cacheprovider $(WORKERS) -m "not slow" $(PYTEST_ARGS)

# A one-folder Linux bundle of the app: dist/gitferry/gitferry (PyInstaller, pinned in the dev extras).
bundle: $(STAMP)
	$(BIN)/pip show -q pyinstaller >/dev/null 2>&1 || $(BIN)/pip install -q $(EDITABLE)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller packaging/gitferry.spec
	@du -sh dist/gitferry

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info
