"""Small shared helpers: atomic files, isolated child processes."""
