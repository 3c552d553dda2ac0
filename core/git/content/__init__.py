"""Content as git has it: attributes, line-ending conversion, and the filters a path's
content passes through between the object store and the working tree.

The drivers Gitferry runs itself register with `filters.register_driver` when imported;
`filters` imports each one the first time a path names its filter."""
