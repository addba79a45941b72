"""Tyk puts its tyk/ folder on sys.path, so plugins import this module as top-level `gateway`."""

from tyk.gateway import TykGateway  # noqa: F401
