"""Benchmarks: `python -m bench NAME` runs bench/NAME.py's `run()` and prints one JSON object."""
