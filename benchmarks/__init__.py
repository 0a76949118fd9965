"""Benchmarks: scripts run as `python benchmarks/NAME.py`; the tests import a few helpers.

A regular package, not a namespace one: pysbd 0.3.4 installs a top-level `benchmarks` package
into site-packages, which would otherwise shadow this folder.
"""
