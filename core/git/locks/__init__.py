"""Locks: git's own lock files, Gitferry's per-repository sync lock, and the cleanup
after a sync that died while holding them."""
