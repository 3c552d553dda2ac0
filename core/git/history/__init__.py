"""Commit history: the commit-graph file, generation numbers, ahead/behind and merge
bases, and every branch's position against its upstream."""
