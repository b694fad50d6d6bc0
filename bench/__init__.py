"""Benchmarks: each is one command, `python -m bench.<name> [--database sqlite|postgresql]`.

They run outside the test suite, talk only to 127.0.0.1 (the tests' fake Bot API server and,
for PostgreSQL, a throwaway database), and end with one `name: figure` line per goal; the
figures are ratios against a baseline measured in the same run.
"""
