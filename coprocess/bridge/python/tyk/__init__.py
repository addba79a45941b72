"""Tyk's Python plugin API, as Hookgate's bridge provides it (protocol.md section 3)."""
