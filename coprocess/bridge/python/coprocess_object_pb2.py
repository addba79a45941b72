"""Tyk's generated module names, for plugins that import them; no protobuf package needed."""

from hookgate.coprocess import Event, EventReply, Object  # noqa: F401
