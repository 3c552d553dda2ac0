"""Integration: three-way tree and file merges, rebase replay, conflict copies, and the
backup refs kept before a branch moves."""
