"""Map fields as protobuf-python's containers behave where plugins rely on it: reading a missing
key returns the default ("" or an empty message) and inserts it, values are type-checked, message
maps cannot be assigned to, and any change marks the message holding the map (and its parents) as
present, so an auth hook that only writes `metadata["token"]` produces a session."""

from collections.abc import MutableMapping


class ScalarMap(MutableMapping):
    """map<string, string>."""

    __slots__ = ("_d", "_owner", "_check")

    def __init__(self, owner, check):
        self._d = {}
        self._owner = owner
        self._check = check

    def __getitem__(self, key):
        try:
            return self._d[key]
        except KeyError:
            pass
        if type(key) is not str:
            key = self._check(key)
        self._d[key] = ""
        self._owner._touch()
        return ""

    def __setitem__(self, key, value):
        if type(key) is not str:
            key = self._check(key)
        self._d[key] = self._check(value)
        self._owner._touch()

    def __delitem__(self, key):
        del self._d[key]
        self._owner._touch()

    def __contains__(self, key):
        return key in self._d

    def __len__(self):
        return len(self._d)

    def __iter__(self):
        return iter(self._d)

    def get(self, key, default=None):
        return self._d.get(key, default)

    def keys(self):
        return self._d.keys()

    def values(self):
        return self._d.values()

    def items(self):
        return self._d.items()

    def clear(self):
        self._d.clear()
        self._owner._touch()

    def MergeFrom(self, other):
        for key, value in other.items():
            self[key] = value

    def __eq__(self, other):
        if isinstance(other, ScalarMap):
            return self._d == other._d
        if isinstance(other, dict):
            return self._d == other
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return repr(self._d)

    def _load(self, data):
        self._d.update(data)

    def _wire(self):
        return dict(self._d)


class MessageMap(MutableMapping):
    """map<string, Message>: entries are created on first access, never assigned."""

    __slots__ = ("_d", "_owner", "_cls")

    def __init__(self, owner, cls):
        self._d = {}
        self._owner = owner
        self._cls = cls

    def _entry(self):
        entry = self._cls()
        entry._parent = self._owner
        return entry

    def __getitem__(self, key):
        entry = self._d.get(key)
        if entry is None:
            if not isinstance(key, str):
                raise TypeError("%r has type %s, but expected one of: str" % (key, type(key).__name__))
            entry = self._d[key] = self._entry()
            self._owner._touch()
        return entry

    def get_or_create(self, key):
        return self[key]

    def __setitem__(self, key, value):
        raise ValueError("May not set values directly, call my_map[key].foo = 5")

    def __delitem__(self, key):
        entry = self._d.pop(key)
        entry._parent = None
        self._owner._touch()

    def __contains__(self, key):
        return key in self._d

    def __len__(self):
        return len(self._d)

    def __iter__(self):
        return iter(self._d)

    def get(self, key, default=None):
        return self._d.get(key, default)

    def keys(self):
        return self._d.keys()

    def values(self):
        return self._d.values()

    def items(self):
        return self._d.items()

    def clear(self):
        for entry in self._d.values():
            entry._parent = None
        self._d.clear()
        self._owner._touch()

    def MergeFrom(self, other):
        for key, value in other.items():
            self[key].MergeFrom(value)

    def __eq__(self, other):
        if isinstance(other, (MessageMap, dict)):
            return dict(self._d) == dict(other.items())
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return repr(self._d)

    def _load(self, data):
        for key, value in data.items():
            entry = self._entry()
            entry._load(value)
            self._d[key] = entry

    def _wire(self):
        return dict((key, entry._to_wire()) for key, entry in self._d.items())
