"""The dulwich adapter: blocking functions, called only through `core.offload`.

Sub-packages by concern, lowest first (a module imports only from its own
package or one listed before it; `tests/core/test_layering.py` enforces it):
`repository` and `progress` (shared by all), `locks`, `config`, `objects`,
`index`, `history`, `transfer`, `worktree`, `merge`.
"""
