"""Type checks for message fields, with protobuf-python's messages, so a plugin that sets a field
to the wrong type fails here the way it would under Tyk (and at the line that did it)."""

INT32 = (-(2 ** 31), 2 ** 31 - 1)
INT64 = (-(2 ** 63), 2 ** 63 - 1)


def _wrong(value, expected):
    return TypeError("%r has type %s, but expected one of: %s" % (value, type(value).__name__, expected))


def check_str(value):
    if type(value) is str:
        return value
    if isinstance(value, str):
        return str(value)
    raise _wrong(value, "str")


def check_bytes(value):
    if type(value) is bytes:
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise _wrong(value, "bytes")


def _int_in(bounds):
    low, high = bounds

    def check(value):
        if isinstance(value, int):
            value = int(value)
        elif hasattr(value, "__index__") and not isinstance(value, float):
            value = value.__index__()
        else:
            raise _wrong(value, "int")
        if value < low or value > high:
            raise ValueError("Value out of range: %d" % value)
        return value

    return check


check_int32 = _int_in(INT32)
check_int64 = _int_in(INT64)


def check_double(value):
    if isinstance(value, float):
        return float(value)
    if isinstance(value, int):
        return float(value)
    raise _wrong(value, "int, float")


def check_bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return bool(value)
    raise _wrong(value, "bool, int")


def load_double(value):
    """From the bridge's JSON: a whole-number double arrives as an int."""
    return float(value)


def identity(value):
    return value
