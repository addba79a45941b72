"""The worker's end of the channel to the bridge: frames of a 4-byte big-endian length and a UTF-8
JSON object whose "type" says what it is (coprocess/bridge/messages.ts has every shape)."""

import json
import struct
import threading

_HEADER = struct.Struct(">I")
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class ChannelClosed(Exception):
    pass


class Channel(object):
    def __init__(self, sock):
        self._sock = sock
        self._reader = sock.makefile("rb")
        self._lock = threading.Lock()

    def send(self, message):
        data = _encode(message).encode("utf-8")
        frame = _HEADER.pack(len(data)) + data
        with self._lock:
            self._sock.sendall(frame)

    def receive(self):
        """The next message; raises ChannelClosed when the bridge has gone."""
        header = self._reader.read(4)
        if len(header) < 4:
            raise ChannelClosed()
        (size,) = _HEADER.unpack(header)
        data = self._reader.read(size)
        if len(data) < size:
            raise ChannelClosed()
        return json.loads(data.decode("utf-8"))
