"""Hall rules as plain functions (no I/O, no nameko); each has a table-driven test."""
