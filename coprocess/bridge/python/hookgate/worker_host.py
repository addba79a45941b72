"""The host a bridge worker installs: tyk.log, store_data, get_data and trigger_event become
messages to the bridge, which logs them in the gateway's log and uses the gateway's storage."""

import threading

from hookgate.host import Host


class ChannelHost(Host):
    def __init__(self, channel):
        self.channel = channel
        self.hook = None
        self._ids = 0
        self._main = threading.current_thread()

    def log(self, level, message):
        self.channel.send({"type": "log", "level": level, "message": message, "hook": self.hook})

    def _ask(self, message):
        if threading.current_thread() is not self._main:
            raise RuntimeError("tyk.store_data and tyk.get_data work on the hook's own thread only")
        self._ids += 1
        message["id"] = self._ids
        self.channel.send(message)
        while True:
            reply = self.channel.receive()
            if reply.get("type") == "data" and reply.get("id") == self._ids:
                return reply

    def store_data(self, key, value, ttl):
        self._ask({"type": "data_set", "key": key, "value": value, "ttl": ttl})

    def get_data(self, key):
        value = self._ask({"type": "data_get", "key": key}).get("value")
        return value.encode("utf-8") if isinstance(value, str) else b""

    def trigger_event(self, name, payload):
        self.channel.send({"type": "trigger_event", "name": name, "payload": payload, "hook": self.hook})
