"""The index (`.git/index`): read fast, its stat data for scans, and rewritten under
git's `index.lock`."""
