"""What git's configuration says: remotes and their refspecs, upstreams, who commits.

Read and written the way git reads and writes them (`.git/config`, `~/.gitconfig`,
`$XDG_CONFIG_HOME/git/config`, the environment); nothing here talks to a remote.
"""
