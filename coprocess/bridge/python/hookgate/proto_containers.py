"""The container types of message fields (maps, repeated fields)."""

from .proto_maps import MessageMap, ScalarMap  # noqa: F401
from .proto_repeated import RepeatedMessage, RepeatedScalar  # noqa: F401
