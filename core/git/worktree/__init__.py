"""The working tree: the stat scan, ignore rules, auto-commit, and moving the tree,
index and branch to another commit (checkout and switch)."""
