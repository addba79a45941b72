"""Hookgate's Python bridge runtime: the worker the bridge runs, Tyk's plugin API on top of it, and
the test kit (hookgate.testing). Standard library only; CPython 3.8 and newer."""
