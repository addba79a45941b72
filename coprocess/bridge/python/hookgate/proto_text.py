"""protobuf's text format, for `print(session)` and friends while debugging a plugin."""

from .proto_containers import MessageMap, RepeatedMessage, RepeatedScalar, ScalarMap
from .proto_fields import Nested


def _scalar(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return '"%s"' % "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else "\\%03o" % b for b in value)
    if isinstance(value, str):
        return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return repr(value)


def _lines(msg, indent, out):
    pad = "  " * indent
    for field, value in msg.ListFields():
        if isinstance(field, Nested):
            out.append("%s%s {" % (pad, field.name))
            _lines(value, indent + 1, out)
            out.append("%s}" % pad)
        elif isinstance(value, ScalarMap):
            for key in sorted(value):
                out.append("%s%s {\n%s  key: %s\n%s  value: %s\n%s}" % (pad, field.name, pad, _scalar(key), pad, _scalar(value[key]), pad))
        elif isinstance(value, MessageMap):
            for key in sorted(value):
                out.append("%s%s {\n%s  key: %s\n%s  value {" % (pad, field.name, pad, _scalar(key), pad))
                _lines(value[key], indent + 2, out)
                out.append("%s  }\n%s}" % (pad, pad))
        elif isinstance(value, RepeatedMessage):
            for entry in value:
                out.append("%s%s {" % (pad, field.name))
                _lines(entry, indent + 1, out)
                out.append("%s}" % pad)
        elif isinstance(value, RepeatedScalar):
            for entry in value:
                out.append("%s%s: %s" % (pad, field.name, _scalar(entry)))
        else:
            out.append("%s%s: %s" % (pad, field.name, _scalar(value)))


def to_text(msg):
    out = []
    _lines(msg, 0, out)
    return "\n".join(out) + ("\n" if out else "")
