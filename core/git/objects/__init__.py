"""The object store: packs received and merged, blobs streamed in from files, objects
held in memory until an integration succeeds, and the tree entries a working tree may
receive (`path_safety`, `tree_delta`)."""
