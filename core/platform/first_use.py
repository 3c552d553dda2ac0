"""Standard-library modules a command process loads at their first use, not at their import.

`asyncio` imports `ssl` (and its own `asyncio.sslproto`, which reads two of `ssl`'s
exceptions at import) whatever the connection: in a cold no-change `sync --fetch-only`
over `git://` that is `_ssl` loading libssl and `ssl` converting its constants to enums,
about 4% of the process's instructions, for no TLS at all; the other modules of
`FOR_A_COMMAND` are 3.5% more. `defer` puts a finder in front of `sys.meta_path` that gives
the named modules a module object whose body runs at the first attribute read
(`ssl.SSLContext`, `from ssl import ...`, `vars(ssl)`), in whichever thread reads first;
until then `import ssl` binds that object and runs nothing. It is the same object
afterwards (its class switched back to `ModuleType`, as `importlib.util.LazyLoader` does),
so every module that imported it early sees the real one, and asyncio's TLS
(`create_connection(ssl=...)`, `start_tls`) and urllib3's HTTPS work as with an eager
import (`tests/core/test_first_use.py`).

Unlike `importlib.util.LazyLoader` on Python 3.11: the module's metadata (`__spec__`,
`__name__`, ...) is read without running the body, so a second `import ssl` (the import
system reads `__spec__` of a module it finds in `sys.modules`) does not load it; and the
body runs under the module's own lock, so a second thread reading an attribute meanwhile
waits for the whole module instead of seeing it half made (3.11's `LazyLoader` has no
lock). A body that raises leaves the module out of `sys.modules` and raises, as a failed
import does.
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Sequence
from importlib.machinery import ModuleSpec, PathFinder

TYPE_CHECKING = False  # `typing` is imported for type checking only (`core/cli_simple.py`)
if TYPE_CHECKING:
    from importlib.abc import Loader  # importlib.abc itself imports importlib.resources: 40 ms

# What a command loads at first use: modules the standard library imports at its top for
# functions a cold no-change `sync --fetch-only` over `git://` never calls (what its process
# would still load of them, measured in instructions: docs/ARCHITECTURE.md, the cold path):
# asyncio's TLS (`ssl`, `asyncio.sslproto`) and its happy-eyeballs connect and socket wrapper
# (`asyncio.staggered`, `asyncio.trsock`), `tempfile`'s `shutil` (with `bz2` and `lzma`, which
# it imports to know the archive formats), `subprocess`'s `locale` (text mode without an
# encoding), `inspect`'s `linecache` (source lines), `traceback`'s `textwrap`, `pathlib`'s
# `fnmatch` (`match`, `glob`) and `ntpath` (Windows paths), `urllib.parse`'s `ipaddress` (a
# bracketed host) and `asyncio.events`' `asyncio.format_helpers` (a callback's repr, debug mode);
# and `dataclasses`' `inspect` (with `ast`, `dis` and `tokenize`: a signature made the docstring
# of a class that has none), 26 million of a cold `status --json`'s 305 million instructions.
FOR_A_COMMAND = (
    "ssl",
    "asyncio.sslproto",
    "asyncio.staggered",
    "asyncio.trsock",
    "shutil",
    "locale",
    "linecache",
    "textwrap",
    "fnmatch",
    "ntpath",
    "ipaddress",
    "asyncio.format_helpers",
    "inspect",
)
# Read without loading: what the import system asks of a module it finds in `sys.modules`,
# and `repr`. (`__dict__` loads: `vars(module)` is the whole module.)
_METADATA = frozenset(
    {"__class__", "__name__", "__spec__", "__loader__", "__package__", "__path__", "__file__"}
)


class _Deferred(types.ModuleType):
    """A module whose body has not run yet; any other attribute read runs it first."""

    def __getattribute__(self, name: str) -> object:
        if name not in _METADATA:
            _load(self)
        return types.ModuleType.__getattribute__(self, name)  # not super(): the class is switched by now

    def __setattr__(self, name: str, value: object) -> None:
        _load(self)
        types.ModuleType.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        _load(self)
        types.ModuleType.__delattr__(self, name)


class _DeferringLoader:
    """Makes the module as `loader` would, its body left for the first use (the import
    system asks a loader for these two methods only)."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.lock = threading.RLock()  # one a module, as the import system's own locks
        self.running = False

    def create_module(self, spec: ModuleSpec) -> types.ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        object.__setattr__(module, "__class__", _Deferred)


def _load(module: types.ModuleType) -> None:
    spec = types.ModuleType.__getattribute__(module, "__spec__")
    deferring = spec.loader
    if not isinstance(deferring, _DeferringLoader):
        return  # loaded
    with deferring.lock:  # another thread reading meanwhile waits here for the whole module
        if deferring.running or spec.loader is not deferring:
            return  # the body reading its own attributes (this thread), or loaded meanwhile
        deferring.running = True
        try:
            deferring.loader.exec_module(module)
        except BaseException:
            if sys.modules.get(spec.name) is module:
                del sys.modules[spec.name]
            raise
        finally:
            spec.loader = deferring.loader
            types.ModuleType.__setattr__(module, "__loader__", deferring.loader)
            object.__setattr__(module, "__class__", types.ModuleType)


class _Finder:
    """In front of `sys.meta_path` until it has found each of its names once."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = set(names)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in self.names:
            return None
        self.names.discard(fullname)
        if not self.names and self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec  # found another way (a built-in, a frozen module): imported as usual
        spec.loader = _DeferringLoader(spec.loader)  # type: ignore[assignment]  # the two methods asked for
        return spec


def defer(names: Sequence[str]) -> None:
    """Have `names`, none of them imported yet, load at their first use in this process.
    A name already imported is left as it is."""
    wanted = [name for name in names if name not in sys.modules]
    if wanted:
        sys.meta_path.insert(0, _Finder(wanted))


def waiting() -> list[str]:
    """The modules imported so far whose body has not run yet."""
    return sorted(name for name, module in list(sys.modules.items()) if type(module) is _Deferred)
