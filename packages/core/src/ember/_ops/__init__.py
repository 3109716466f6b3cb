"""ember's op library: each module holds one family of ops, their forward and their backward nodes."""
