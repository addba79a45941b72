"""What `tyk.gateway.TykGateway` calls: the bridge worker installs a host that talks to the
gateway over its channel; the test kit installs one that keeps everything in memory. Without
either (a plugin module imported on its own), calls fail with a message saying so."""


class Host(object):
    def log(self, level, message):
        raise RuntimeError("tyk.log needs the Hookgate bridge or hookgate.testing")

    def store_data(self, key, value, ttl):
        raise RuntimeError("tyk.store_data needs the Hookgate bridge or hookgate.testing")

    def get_data(self, key):
        raise RuntimeError("tyk.get_data needs the Hookgate bridge or hookgate.testing")

    def trigger_event(self, name, payload):
        raise RuntimeError("tyk.trigger_event needs the Hookgate bridge or hookgate.testing")


_current = [Host()]


def current():
    return _current[0]


def install(host):
    """Makes `host` the one TykGateway calls; returns the one it replaces."""
    previous = _current[0]
    _current[0] = host
    return previous


LEVELS = {"debug": "debug", "warning": "warn", "warn": "warn", "error": "error"}


def level_of(name):
    """Tyk maps "debug", "warning" and "error"; anything else is info. "warn" is also warn here."""
    return LEVELS.get(name if isinstance(name, str) else "", "info")
