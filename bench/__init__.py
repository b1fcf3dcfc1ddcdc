"""Benchmarks of the ALMA service: see bench/README.md."""
