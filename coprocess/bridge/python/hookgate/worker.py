"""A bridge worker: loads one bundle, then runs the hook calls the bridge sends, one at a time,
until the bridge closes the channel. The bridge replaces a worker that crashes or overruns a
call's deadline, so nothing here guards against a plugin that never returns."""

import os
import platform
import signal
import socket
import sys

from hookgate import bundle as bundles
from hookgate import calls
from hookgate.channel import Channel, ChannelClosed
from hookgate.coprocess import Object
from hookgate.host import install
from hookgate.worker_host import ChannelHost

CHANNEL_FD = 3


def _die_with_parent():
    """Linux: the kernel kills this worker when the bridge dies, even by SIGKILL."""
    parent = os.environ.get("HOOKGATE_BRIDGE_PID")
    if not sys.platform.startswith("linux") or not parent:
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:  # no prctl: the closed channel still ends an idle worker
        return
    if str(os.getppid()) != parent:  # the bridge died before prctl took effect
        os._exit(1)


def _call(channel, host, loaded, message):
    obj = Object.from_wire(message["object"])
    handler = loaded.hook(obj.hook_name)
    if handler is None:
        channel.send({"type": "failed", "id": message["id"], "reason": "unknown_hook", "error": "Hook is not defined: %s" % obj.hook_name, "trace": ""})
        return
    host.hook = obj.hook_name
    try:
        calls.run_hook(handler, obj)
        reply = {"type": "result", "id": message["id"], "object": obj._to_wire()}
    except calls.HookFailed as failure:
        reply = {"type": "failed", "id": message["id"], "reason": "hook_error", "error": failure.message, "trace": failure.trace}
    finally:
        host.hook = None
    channel.send(reply)


def _event(channel, host, loaded, message):
    name = message["handler"]
    handler = loaded.event_handler(name)
    if handler is None:
        channel.send({"type": "failed", "id": message["id"], "reason": "unknown_hook", "error": "Event handler is not defined: %s" % name, "trace": ""})
        return
    host.hook = name
    try:
        calls.run_event(handler, message["payload"])
        reply = {"type": "done", "id": message["id"]}
    except calls.HookFailed as failure:
        reply = {"type": "failed", "id": message["id"], "reason": "hook_error", "error": failure.message, "trace": failure.trace}
    finally:
        host.hook = None
    channel.send(reply)


def main():
    _die_with_parent()
    # Ctrl-C reaches the whole process group; the bridge decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True)
        except (AttributeError, ValueError):
            pass
    channel = Channel(socket.socket(fileno=CHANNEL_FD))
    host = ChannelHost(channel)
    install(host)
    try:
        start = channel.receive()
    except ChannelClosed:
        return 0
    for path in start.get("paths") or []:
        if path not in sys.path:
            sys.path.append(path)
    try:
        loaded = bundles.load(start["bundle_dir"], start.get("names"), start.get("entry"))
    except bundles.LoadError as err:
        channel.send({"type": "load_error", "error": err.error, "file": err.file, "line": err.line, "trace": err.trace})
        return 3
    hooks = dict((name, handler.describe()) for name, handler in loaded.hooks.items())
    channel.send({"type": "ready", "python": platform.python_version(), "hooks": hooks})
    try:
        while True:
            message = channel.receive()
            kind = message.get("type")
            if kind == "call":
                _call(channel, host, loaded, message)
            elif kind == "event":
                _event(channel, host, loaded, message)
    except ChannelClosed:
        return 0
