"""Benchmarks: `make bench` (python -m bench) prints figures; docs/benchmarks.md records them."""
