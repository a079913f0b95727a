"""Shipped reference data files (package data, built by scripts/build_reference.py)."""
