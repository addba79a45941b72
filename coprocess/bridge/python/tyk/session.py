"""Tyk's names for the session messages."""

from hookgate.coprocess import AccessDefinition, AccessSpec, BasicAuthData, JWTData, Monitor, SessionState  # noqa: F401

TykSession = SessionState
