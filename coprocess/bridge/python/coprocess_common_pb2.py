"""Tyk's generated module names, for plugins that import them; no protobuf package needed."""

from hookgate.coprocess import HookType, StringSlice  # noqa: F401

Unknown, Pre, Post, PostKeyAuth, CustomKeyCheck, Response = range(6)
