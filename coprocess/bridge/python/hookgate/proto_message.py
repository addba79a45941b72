"""A small protobuf-python look-alike for the coprocess messages, with no dependency: fields as
descriptors, proto3 defaults, presence of message fields (reading `object.session` does not create
a session; writing into it does), HasField/ClearField/CopyFrom/MergeFrom/SetInParent, and the
JSON shape the bridge exchanges with the gateway ("wire": proto field names, defaults left out,
bytes as base64)."""

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


class Message(object):
    """Subclasses call `define(cls, fields)` once; fields become class attributes."""

    __slots__ = ("_v", "_lazy", "_parent", "_field")
    FIELDS = ()
    BY_NAME = {}

    def __init__(self, **fields):
        self._v = {}
        self._lazy = None
        self._parent = None
        self._field = None
        for name, value in fields.items():
            field = self.BY_NAME.get(name)
            if field is None:
                raise ValueError('Protocol message %s has no "%s" field.' % (type(self).__name__, name))
            if isinstance(field, Scalar):
                setattr(self, name, value)
            elif isinstance(field, Nested):
                getattr(self, name).MergeFrom(value if isinstance(value, Message) else field.cls(**value))
            else:
                container = getattr(self, name)
                if isinstance(container, MessageMap):
                    for key, entry in value.items():
                        container[key].MergeFrom(entry if isinstance(entry, Message) else container._cls(**entry))
                elif isinstance(container, RepeatedMessage):
                    for entry in value:
                        container.add().MergeFrom(entry if isinstance(entry, Message) else container._cls(**entry))
                else:
                    container.update(value) if isinstance(container, ScalarMap) else container.extend(value)

    def _touch(self):
        parent = self._parent
        if parent is None:
            return
        name = self._field
        if name is not None and parent._v.get(name) is not self:
            parent._v[name] = self
            if parent._lazy is not None:
                parent._lazy.pop(name, None)
        parent._touch()

    def __setattr__(self, name, value):
        if name in self.BY_NAME or name in Message.__slots__:
            object.__setattr__(self, name, value)
        else:
            raise AttributeError('Protocol message %s has no "%s" field.' % (type(self).__name__, name))

    # protobuf-python's message API, the parts plugins use

    def HasField(self, name):
        field = self.BY_NAME.get(name)
        if not isinstance(field, Nested):
            raise ValueError('Protocol message %s has no non-repeated submessage field "%s"' % (type(self).__name__, name))
        return field.is_set(self)

    def ClearField(self, name):
        field = self.BY_NAME.get(name)
        if field is None:
            raise ValueError('Protocol message %s has no "%s" field.' % (type(self).__name__, name))
        field.clear(self)

    def Clear(self):
        for field in self.FIELDS:
            field.clear(self)

    def SetInParent(self):
        self._touch()

    def MergeFrom(self, other):
        if not isinstance(other, type(self)):
            raise TypeError("Parameter to MergeFrom() must be instance of same class: expected %s got %s." % (type(self).__name__, type(other).__name__))
        for field in self.FIELDS:
            field.merge(self, other)
        self._touch()

    def CopyFrom(self, other):
        if other is self:
            return
        self.Clear()
        self.MergeFrom(other)

    def ListFields(self):
        return [(field, getattr(self, field.name)) for field in self.FIELDS if field.is_set(self)]

    def IsInitialized(self):
        return True

    def __eq__(self, other):
        if not isinstance(other, Message) or type(other) is not type(self):
            return NotImplemented
        return self._to_wire() == other._to_wire()

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None

    def __repr__(self):
        from .proto_text import to_text

        return to_text(self)

    __str__ = __repr__

    # the bridge's JSON shape

    def _to_wire(self):
        out = {}
        for field in self.FIELDS:
            field.wire(self, out)
        return out

    def _load(self, data):
        by_name = self.BY_NAME
        for name, value in data.items():
            field = by_name.get(name)
            if field is not None and value is not None:
                field.read(self, value)
        return self

    @classmethod
    def from_wire(cls, data):
        return cls()._load(data)


def define(cls, fields):
    cls.FIELDS = tuple(fields)
    cls.BY_NAME = dict((field.name, field) for field in fields)
    for field in fields:
        setattr(cls, field.name, field)
    return cls
