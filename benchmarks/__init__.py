"""Benchmark scripts and the synthetic vault generator they share."""
