"""Tyk's coprocess messages (proto/coprocess_*.proto), field for field."""

from . import proto_checks
from . import proto_fields as pm
from .proto_message import Message, define


class HookType(object):
    """coprocess.HookType, as protobuf-python's enum wrapper spells it."""

    Unknown = 0
    Pre = 1
    Post = 2
    PostKeyAuth = 3
    CustomKeyCheck = 4
    Response = 5
    _NAMES = ("Unknown", "Pre", "Post", "PostKeyAuth", "CustomKeyCheck", "Response")

    @classmethod
    def Name(cls, number):
        if 0 <= number < len(cls._NAMES):
            return cls._NAMES[number]
        raise ValueError("Enum HookType has no name defined for value %r" % number)

    @classmethod
    def Value(cls, name):
        if name in cls._NAMES:
            return cls._NAMES.index(name)
        raise ValueError("Enum HookType has no value defined for name %r" % name)

    @classmethod
    def keys(cls):
        return list(cls._NAMES)

    @classmethod
    def values(cls):
        return list(range(len(cls._NAMES)))


def _enum(name, number):
    return pm.Scalar(name, number, proto_checks.check_int32, 0)


class StringSlice(Message):
    __slots__ = ()


class ReturnOverrides(Message):
    __slots__ = ()


class MiniRequestObject(Message):
    __slots__ = ()


class Header(Message):
    __slots__ = ()


class ResponseObject(Message):
    __slots__ = ()


class AccessSpec(Message):
    __slots__ = ()


class AccessDefinition(Message):
    __slots__ = ()


class BasicAuthData(Message):
    __slots__ = ()


class JWTData(Message):
    __slots__ = ()


class Monitor(Message):
    __slots__ = ()


class SessionState(Message):
    __slots__ = ()


class Object(Message):
    __slots__ = ()


class Event(Message):
    __slots__ = ()


class EventReply(Message):
    __slots__ = ()


define(StringSlice, [pm.strings("items", 1)])
define(ReturnOverrides, [
    pm.int32("response_code", 1),
    pm.string("response_error", 2),
    pm.string_map("headers", 3),
    pm.boolean("override_error", 4),
    pm.string("response_body", 5),
])
define(MiniRequestObject, [
    pm.string_map("headers", 1),
    pm.string_map("set_headers", 2),
    pm.strings("delete_headers", 3),
    pm.string("body", 4),
    pm.string("url", 5),
    pm.string_map("params", 6),
    pm.string_map("add_params", 7),
    pm.string_map("extended_params", 8),
    pm.strings("delete_params", 9),
    pm.message("return_overrides", 10, ReturnOverrides),
    pm.string("method", 11),
    pm.string("request_uri", 12),
    pm.string("scheme", 13),
    pm.bytes_("raw_body", 14),
])
define(Header, [pm.string("key", 1), pm.strings("values", 2)])
define(ResponseObject, [
    pm.int32("status_code", 1),
    pm.bytes_("raw_body", 2),
    pm.string("body", 3),
    pm.string_map("headers", 4),
    pm.messages("multivalue_headers", 5, Header),
])
define(AccessSpec, [pm.string("url", 1), pm.strings("methods", 2)])
define(AccessDefinition, [
    pm.string("api_name", 1),
    pm.string("api_id", 2),
    pm.strings("versions", 3),
    pm.messages("allowed_urls", 4, AccessSpec),
])
define(BasicAuthData, [pm.string("password", 1), pm.string("hash", 2)])
define(JWTData, [pm.string("secret", 1)])
define(Monitor, [pm.doubles("trigger_limits", 1)])
define(SessionState, [
    pm.int64("last_check", 1),
    pm.double("allowance", 2),
    pm.double("rate", 3),
    pm.double("per", 4),
    pm.int64("expires", 5),
    pm.int64("quota_max", 6),
    pm.int64("quota_renews", 7),
    pm.int64("quota_remaining", 8),
    pm.int64("quota_renewal_rate", 9),
    pm.message_map("access_rights", 10, AccessDefinition),
    pm.string("org_id", 11),
    pm.string("oauth_client_id", 12),
    pm.string_map("oauth_keys", 13),
    pm.message("basic_auth_data", 14, BasicAuthData),
    pm.message("jwt_data", 15, JWTData),
    pm.boolean("hmac_enabled", 16),
    pm.string("hmac_secret", 17),
    pm.boolean("is_inactive", 18),
    pm.string("apply_policy_id", 19),
    pm.int64("data_expires", 20),
    pm.message("monitor", 21, Monitor),
    pm.boolean("enable_detailed_recording", 22),
    pm.string_map("metadata", 23),
    pm.strings("tags", 24),
    pm.string("alias", 25),
    pm.string("last_updated", 26),
    pm.int64("id_extractor_deadline", 27),
    pm.int64("session_lifetime", 28),
    pm.strings("apply_policies", 29),
    pm.string("certificate", 30),
    pm.int64("max_query_depth", 31),
    pm.string("key_id", 32),
    pm.string("post_expiry_action", 33),
    pm.int64("post_expiry_grace_period", 34),
])
define(Object, [
    _enum("hook_type", 1),
    pm.string("hook_name", 2),
    pm.message("request", 3, MiniRequestObject),
    pm.message("session", 4, SessionState),
    pm.string_map("metadata", 5),
    pm.string_map("spec", 6),
    pm.message("response", 7, ResponseObject),
])
define(Event, [pm.string("payload", 1)])
define(EventReply, [])
