"""What differs between operating systems, one module per concern.

Everything else in the project calls only these modules for what depends on the
OS, so a Windows or macOS port fills them in and touches nothing else. Each is
written for Linux, the only platform the tests run on; the notes say what a
port must fill in.

- `file_lock`: an exclusive, non-blocking lock on a small file that also holds
  its holder's record (the sync lock). `fcntl.flock` on Linux and macOS;
  Windows: `msvcrt.locking` (or portalocker) instead, and an open file cannot be removed
  (release leaves it empty, which means the same) and a locked range cannot be
  read by a waiter (a busy message names no owner).
- `processes`: a process's start time (is a recorded pid still its process),
  which paths some process holds open, our own resident memory. psutil on
  every platform; Windows and macOS may hide other users' open files.
- `fd_limit`: the soft open-file limit and raising it at start-up (POSIX
  `resource`). Windows has no such limit: None, nothing to raise.
- `readiness`: wait with a timeout until a socket or a pipe is readable (poll).
  Windows has no poll and selects on sockets only: the ssh pipe needs a reader
  thread or `PeekNamedPipe`.
- `battery`: on battery, and how full (psutil on every platform).
- `stop_signals`: SIGINT and SIGTERM stop the headless daemon
  (`loop.add_signal_handler`); Windows' loops have none: `signal.signal` with
  a thread-safe hand-over, as the desktop app does.
- `process_groups`: a child (a hook, a credential helper) killed with all it
  started: a session of its own and `killpg`; Windows: a job object.
- `renames`: swap a file into place and back (`renameat2` RENAME_EXCHANGE /
  RENAME_NOREPLACE) for race-safe working-tree writes; elsewhere a last check
  before a plain rename (macOS: `renamex_np`).
- `autostart`: start the app at login. An XDG autostart desktop entry; macOS
  needs a LaunchAgent property list, Windows a value under the `Run` key.

Left where they are, because they already degrade by themselves:
`core.atomic_file.fsync_dir` skips directories on Windows; `O_NOFOLLOW`,
`O_DIRECTORY` and `O_CLOEXEC` are read with `getattr` in the worktree scan,
`ignore_rules`, `write` and `blob_stream` (without them the scan takes its path
walk).
"""
