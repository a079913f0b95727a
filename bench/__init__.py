"""Benchmarks: ``python -m bench`` runs every ``bench/bench_*.py`` module (see README.md)."""
