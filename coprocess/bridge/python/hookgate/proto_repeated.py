"""Repeated fields as protobuf-python's containers: typed lists; `add(**fields)` for messages,
`append` copies; any change marks the message holding the field as present."""

from collections.abc import MutableSequence


class RepeatedScalar(MutableSequence):
    """repeated string / double."""

    __slots__ = ("_l", "_owner", "_check")

    def __init__(self, owner, check):
        self._l = []
        self._owner = owner
        self._check = check

    def __getitem__(self, index):
        return self._l[index]

    def __setitem__(self, index, value):
        if isinstance(index, slice):
            self._l[index] = [self._check(v) for v in value]
        else:
            self._l[index] = self._check(value)
        self._owner._touch()

    def __delitem__(self, index):
        del self._l[index]
        self._owner._touch()

    def __len__(self):
        return len(self._l)

    def __iter__(self):
        return iter(self._l)

    def insert(self, index, value):
        self._l.insert(index, self._check(value))
        self._owner._touch()

    def append(self, value):
        self._l.append(self._check(value))
        self._owner._touch()

    def extend(self, values):
        self._l.extend([self._check(v) for v in values])
        self._owner._touch()

    def MergeFrom(self, other):
        self.extend(other)

    def __eq__(self, other):
        if isinstance(other, RepeatedScalar):
            return self._l == other._l
        if isinstance(other, (list, tuple)):
            return self._l == list(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return repr(self._l)

    def _load(self, data):
        self._l.extend(self._check(v) for v in data)

    def _wire(self):
        return list(self._l)


class RepeatedMessage(MutableSequence):
    """repeated Message: `add(**fields)` appends a new one; `append(m)` appends a copy."""

    __slots__ = ("_l", "_owner", "_cls")

    def __init__(self, owner, cls):
        self._l = []
        self._owner = owner
        self._cls = cls

    def add(self, **fields):
        entry = self._cls(**fields)
        entry._parent = self._owner
        self._l.append(entry)
        self._owner._touch()
        return entry

    def __getitem__(self, index):
        return self._l[index]

    def __setitem__(self, index, value):
        raise TypeError("Does not support assignment")

    def __delitem__(self, index):
        del self._l[index]
        self._owner._touch()

    def __len__(self):
        return len(self._l)

    def __iter__(self):
        return iter(self._l)

    def insert(self, index, value):
        entry = self._copy(value)
        self._l.insert(index, entry)
        self._owner._touch()

    def append(self, value):
        self._l.append(self._copy(value))
        self._owner._touch()

    def extend(self, values):
        for value in values:
            self.append(value)

    def _copy(self, value):
        if not isinstance(value, self._cls):
            raise TypeError("Parameter to append() must be %s, got %s" % (self._cls.__name__, type(value).__name__))
        entry = self._cls()
        entry.MergeFrom(value)
        entry._parent = self._owner
        return entry

    def MergeFrom(self, other):
        self.extend(other)

    def __eq__(self, other):
        if isinstance(other, (RepeatedMessage, list, tuple)):
            return list(self._l) == list(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return repr(self._l)

    def _load(self, data):
        for value in data:
            entry = self._cls()
            entry._load(value)
            entry._parent = self._owner
            self._l.append(entry)

    def _wire(self):
        return [entry._to_wire() for entry in self._l]
