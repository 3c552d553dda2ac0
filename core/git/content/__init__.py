"""Content as git has it: attributes, line-ending conversion, and the filters a path's
content passes through between the object store and the working tree."""
