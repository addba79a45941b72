"""Field descriptors of the coprocess messages: proto3 scalars (bytes kept as base64 until read),
message fields with presence, and map/repeated containers made on first access."""

import base64

from . import proto_checks as checks
from .proto_containers import MessageMap, RepeatedMessage, RepeatedScalar, ScalarMap


class _Base64(object):
    """A bytes field as it arrived: decoded only if the plugin reads it."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


class Scalar(object):
    def __init__(self, name, number, check, default, load=None):
        self.name = name
        self.number = number
        self.check = check
        self.default = default
        self.load = load or check

    def __get__(self, msg, cls=None):
        if msg is None:
            return self
        value = msg._v.get(self.name, self.default)
        if type(value) is _Base64:
            value = msg._v[self.name] = base64.b64decode(value.text)
        return value

    def __set__(self, msg, value):
        msg._v[self.name] = self.check(value)
        msg._touch()

    def is_set(self, msg):
        value = msg._v.get(self.name)
        return value is not None and (type(value) is _Base64 or value != self.default)

    def wire(self, msg, out):
        value = msg._v.get(self.name)
        if value is None:
            return
        if type(value) is _Base64:
            out[self.name] = value.text
        elif value != self.default:
            out[self.name] = base64.b64encode(value).decode("ascii") if type(value) is bytes else value

    def read(self, msg, value):
        if self.default == b"":
            msg._v[self.name] = _Base64(value)
        else:
            msg._v[self.name] = self.load(value)

    def clear(self, msg):
        msg._v.pop(self.name, None)

    def merge(self, msg, other):
        if self.is_set(other):
            msg._v[self.name] = self.__get__(other)


class Nested(object):
    """A message field: present once something is written into it."""

    def __init__(self, name, number, cls):
        self.name = name
        self.number = number
        self.cls = cls

    def __get__(self, msg, cls=None):
        if msg is None:
            return self
        value = msg._v.get(self.name)
        if value is not None:
            return value
        lazy = msg._lazy
        if lazy is None:
            lazy = msg._lazy = {}
        value = lazy.get(self.name)
        if value is None:
            value = lazy[self.name] = self.cls()
            value._parent = msg
            value._field = self.name
        return value

    def __set__(self, msg, value):
        raise AttributeError('Assignment not allowed to field "%s" in protocol message object.' % self.name)

    def is_set(self, msg):
        return self.name in msg._v

    def wire(self, msg, out):
        value = msg._v.get(self.name)
        if value is not None:
            out[self.name] = value._to_wire()

    def read(self, msg, value):
        sub = self.cls()
        sub._load(value)
        sub._parent = msg
        sub._field = self.name
        msg._v[self.name] = sub

    def clear(self, msg):
        sub = msg._v.pop(self.name, None)
        if sub is not None:
            sub._parent = None
        if msg._lazy is not None:
            msg._lazy.pop(self.name, None)

    def merge(self, msg, other):
        if self.is_set(other):
            self.__get__(msg).MergeFrom(self.__get__(other))
            self.__get__(msg)._touch()


class Container(object):
    """Map and repeated fields: a container made on first access; no presence."""

    def __init__(self, name, number, make):
        self.name = name
        self.number = number
        self.make = make

    def __get__(self, msg, cls=None):
        if msg is None:
            return self
        value = msg._v.get(self.name)
        if value is None:
            value = msg._v[self.name] = self.make(msg)
        return value

    def __set__(self, msg, value):
        raise AttributeError('Assignment not allowed to map, or repeated field "%s" in protocol message object.' % self.name)

    def is_set(self, msg):
        value = msg._v.get(self.name)
        return value is not None and len(value) > 0

    def wire(self, msg, out):
        value = msg._v.get(self.name)
        if value is not None and len(value) > 0:
            out[self.name] = value._wire()

    def read(self, msg, value):
        self.__get__(msg)._load(value)

    def clear(self, msg):
        msg._v.pop(self.name, None)

    def merge(self, msg, other):
        if self.is_set(other):
            self.__get__(msg).MergeFrom(self.__get__(other))


def string(name, number):
    return Scalar(name, number, checks.check_str, "")


def bytes_(name, number):
    return Scalar(name, number, checks.check_bytes, b"")


def int32(name, number):
    return Scalar(name, number, checks.check_int32, 0)


def int64(name, number):
    return Scalar(name, number, checks.check_int64, 0)


def double(name, number):
    return Scalar(name, number, checks.check_double, 0.0, checks.load_double)


def boolean(name, number):
    return Scalar(name, number, checks.check_bool, False)


def message(name, number, cls):
    return Nested(name, number, cls)


def string_map(name, number):
    return Container(name, number, lambda owner: ScalarMap(owner, checks.check_str))


def message_map(name, number, cls):
    return Container(name, number, lambda owner: MessageMap(owner, cls))


def strings(name, number):
    return Container(name, number, lambda owner: RepeatedScalar(owner, checks.check_str))


def doubles(name, number):
    return Container(name, number, lambda owner: RepeatedScalar(owner, checks.check_double))


def messages(name, number, cls):
    return Container(name, number, lambda owner: RepeatedMessage(owner, cls))
