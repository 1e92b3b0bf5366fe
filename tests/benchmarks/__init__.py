"""The performance suite (not part of the default test run): see run.py, or run `python -m tests.benchmarks --help`."""
