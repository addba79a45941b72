"""`from gateway import TykGateway as tyk`: the gateway's functions, called on the class."""

from hookgate import host as _host


def _text(value, what):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    raise TypeError("%s must be str, got %s" % (what, type(value).__name__))


class TykGateway(object):
    """Plain functions on a class, as in Tyk: `tyk.log("text", "info")`, no instance."""

    def log(message, level):
        _host.current().log(_host.level_of(level), str(message))

    def log_error(message):
        _host.current().log("error", str(message))

    def store_data(key, value, ttl):
        """Stores `value` under `coprocess-data:<key>` in the gateway's storage for `ttl` seconds
        (0 or less: no expiry)."""
        _host.current().store_data(_text(key, "key"), _text(value, "value"), int(ttl))

    def get_data(key):
        """The value stored under `key`, as bytes; b"" when there is none."""
        return _host.current().get_data(_text(key, "key"))

    def trigger_event(event_name, payload):
        _host.current().trigger_event(_text(event_name, "event_name"), _text(payload, "payload"))
