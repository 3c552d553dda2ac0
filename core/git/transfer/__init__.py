"""Talking to remotes: transports with timeouts, fetch planning and negotiation,
push (only what the remote lacks), clone, progress reports and remote errors."""
