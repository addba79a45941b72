"""A small protobuf-python look-alike for the coprocess messages, with no dependency: fields as
descriptors (proto_fields.py), proto3 defaults, presence of message fields (reading
`object.session` does not create a session; writing into it does), HasField/ClearField/CopyFrom/
MergeFrom/SetInParent, and the JSON shape the bridge exchanges with the gateway ("wire": proto
field names, defaults left out, bytes as base64)."""

from .proto_containers import MessageMap, RepeatedMessage, ScalarMap
from .proto_fields import Nested, Scalar


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
