"""Tyk's generated module names, for plugins that import them; no protobuf package needed."""

from hookgate.coprocess import MiniRequestObject  # noqa: F401
