"""Benchmarks: each runs as `python -m bench.<name>` from the repository root (see README.md)."""
