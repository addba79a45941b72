"""The test kit for Python plugins: load your bundle folder as the bridge does, call a hook with
a request, session and spec built as the gateway builds them, and look at what the gateway would
do with the reply. Works with `unittest` (or any runner); nothing to start, no network.

    import os, unittest
    from hookgate.testing import load_bundle

    class AuthTest(unittest.TestCase):
        def setUp(self):
            self.bundle = load_bundle(os.path.dirname(os.path.abspath(__file__)))

        def test_good_key(self):
            result = self.bundle.call("MyAuthMiddleware", headers={"Authorization": "47a0c79c427728b3df4af62b9228c8ae"})
            self.assertTrue(result.allowed)
            self.assertEqual(result.session.rate, 1000.0)

Run with `PYTHONPATH=$(npx hookgate python-bridge --print-pythonpath) python3 -m unittest`.
"""

import json
import time

from hookgate import bundle as bundles
from hookgate import calls
from hookgate.coprocess import Object, SessionState
from hookgate.gateway_view import canonical_header_key, go_json, hook_object, mini_request, outcome, response_object, spec_map  # noqa: F401
from hookgate.host import Host, install

__all__ = ["load_bundle", "TestBundle", "HookResult", "mini_request", "response_object", "spec_map", "session", "go_json", "canonical_header_key"]


def session(**fields):
    """A SessionState with these fields (for hooks after auth): session(rate=10.0, metadata={"k": "v"})."""
    return SessionState(**fields)


class MemoryHost(Host):
    """tyk.log goes to `logs`; store_data/get_data use `store` (with TTLs); events to `events`."""

    def __init__(self):
        self.logs = []
        self.store = {}
        self.events = []
        self.hook = None

    def log(self, level, message):
        self.logs.append((level, message, self.hook))

    def store_data(self, key, value, ttl):
        self.store[key] = (value, time.time() + ttl if ttl > 0 else None)

    def get_data(self, key):
        entry = self.store.get(key)
        if entry is None or (entry[1] is not None and entry[1] <= time.time()):
            return b""
        return entry[0].encode("utf-8")

    def trigger_event(self, name, payload):
        self.events.append((name, payload))


class HookResult(object):
    """What a hook call produced, and what the gateway would do with it.

    - `object`: the reply Object; `request`, `response` (response hooks), `session` (None when the
      hook left it absent), `metadata` (the session's, with Object.metadata merged, as the gateway
      reads it), `token` (metadata["token"]);
    - `allowed`: the request goes on; otherwise `status`, `error` (the message of a Tyk error
      body) and `body` are what the client gets;
    - `logs`: (level, message) of the tyk.log calls made during this call.
    """

    def __init__(self, kind, reply, logs):
        self.kind = kind
        self.object = reply
        self.request = reply.request
        self.response = reply.response if reply.HasField("response") else None
        self.session = reply.session if reply.HasField("session") else None
        metadata = dict(self.session.metadata.items()) if self.session is not None else {}
        metadata.update(reply.metadata.items())
        self.metadata = metadata
        self.token = metadata.get("token", "")
        self.overrides = reply.request.return_overrides
        stopped = outcome(kind, reply)
        self.allowed = stopped is None
        self.status, self.error, self.body = stopped if stopped is not None else (None, None, None)
        self.logs = logs

    def __repr__(self):
        state = "allowed" if self.allowed else "stopped with %s %r" % (self.status, self.error or self.body)
        return "<HookResult %s %s>" % (self.kind, state)


def _round_trip(obj):
    """Through JSON and back, as the bridge does: what cannot cross the wire fails here too."""
    return Object.from_wire(json.loads(json.dumps(obj._to_wire())))


class TestBundle(object):
    def __init__(self, loaded, manifest, name):
        self.loaded = loaded
        self.manifest = manifest
        self.name = name
        self.host = MemoryHost()

    @property
    def logs(self):
        return self.host.logs

    @property
    def store(self):
        return self.host.store

    def kind_of(self, name):
        section = self.manifest.get("custom_middleware") or {}
        if (section.get("auth_check") or {}).get("name") == name:
            return "auth_check"
        for kind in ("pre", "post_key_auth", "post", "response"):
            if any(isinstance(e, dict) and e.get("name") == name for e in section.get(kind) or []):
                return kind
        return "pre"

    def call(self, name, request=None, session=None, spec=None, response=None, kind=None, config_data=None, **request_fields):
        """Calls hook `name` as the bridge would. `request` is a MiniRequestObject (see
        mini_request()), or give mini_request's fields here: method, path, query, headers, body.
        `kind` defaults to where the manifest lists the hook. A plugin exception is raised as
        hookgate.calls.HookFailed, chained to the plugin's own exception."""
        kind = kind or self.kind_of(name)
        if request is None:
            request = mini_request(**request_fields)
        if spec is None:
            spec = spec_map(bundle=self.name, config_data=config_data)
        if kind == "response" and response is None:
            response = response_object()
        obj = _round_trip(hook_object(name, kind, request, session, spec, response))
        handler = self.loaded.hook(name)
        if handler is None:
            raise LookupError("Hook is not defined: %s" % name)
        before = len(self.host.logs)
        previous = install(self.host)
        self.host.hook = name
        try:
            calls.run_hook(handler, obj)
        finally:
            self.host.hook = None
            install(previous)
        logs = [(level, message) for level, message, _ in self.host.logs[before:]]
        return HookResult(kind, _round_trip(obj), logs)

    def event(self, name, event_type="AuthFailure", meta=None, api_id="test-api", org_id="test-org"):
        """Calls event handler `name` with Tyk's event payload."""
        payload = json.dumps({
            "message": {"Type": event_type, "Meta": meta or {}, "TimeStamp": time.strftime("%Y-%m-%d %H:%M:%S")},
            "handler_name": name,
            "spec": {"APIID": api_id, "OrgID": org_id},
        })
        handler = self.loaded.event_handler(name)
        if handler is None:
            raise LookupError("Event handler is not defined: %s" % name)
        previous = install(self.host)
        try:
            calls.run_event(handler, payload)
        finally:
            install(previous)


def load_bundle(bundle_dir, name=""):
    """Loads a bundle folder (manifest.json and its entry file) as the bridge does; raises
    hookgate.bundle.LoadError with the file and line when it cannot. `name` is the bundle's name
    (custom_middleware_bundle), whose md5 is spec["bundle_hash"]."""
    manifest = bundles.read_manifest(bundle_dir)
    return TestBundle(bundles.load(bundle_dir), manifest, name)
