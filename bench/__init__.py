"""Benchmarks: `make bench` (all, full sizes) and `make bench-quick` (small sizes). See docs/performance.md."""
