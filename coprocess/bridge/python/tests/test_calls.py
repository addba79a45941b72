"""Hooks are found and called as the bridge finds and calls them (through the test kit, which runs
the same code on the same JSON round trip)."""

import json
import os
import shutil
import sys
import tempfile
import textwrap
import unittest

from hookgate.bundle import LoadError
from hookgate.calls import HookFailed
from hookgate.testing import load_bundle, mini_request, response_object, session

MIDDLEWARE = '''
import os
from tyk.decorators import *
from gateway import TykGateway as tyk
import {helper}

@Hook
def HookThree(request, session, spec):
    request.add_header("X-Conv", "3")
    return request, session

@Hook
def HookFour(request, session, metadata, spec):
    metadata["token"] = "four"
    return request, session, metadata

@Hook
def HookFive(request, response, session, metadata, spec):
    response.raw_body = b"five:" + response.raw_body
    response.headers["X-Five"] = {helper}.VALUE
    return response

@Pre
def PreDecorated(request, session, metadata, spec):
    request.add_header("X-Pre", "pre")
    return request, session, metadata

@Post
def PostDecorated(request, session, spec):
    request.add_header("X-Post", session.metadata["user"])
    return request, session

@PostKeyAuth
def PostKeyAuthDecorated(request, session, metadata, spec):
    request.add_header("X-PKA", str(session.rate))
    return request, session, metadata

@CustomKeyCheck
def AuthDecorated(request, session, metadata, spec):
    if request.get_header("Authorization") == "good":
        session.rate = 10.0
        metadata["token"] = "good"
    return request, session, metadata

def Plain(request, session, metadata, spec):
    request.object.set_headers["X-Plain"] = "yes"

def NewObjects(request, session, metadata, spec):
    fresh = type(session)()
    fresh.rate = 7.0
    return request, fresh, {{"token": "fresh"}}

def Overrides(request, session, spec):
    request.object.return_overrides.response_code = int(request.object.params["code"])
    request.object.return_overrides.response_error = request.object.params["msg"]
    request.object.return_overrides.override_error = request.object.params["raw"] == "1"
    request.object.return_overrides.headers["X-Foo"] = "Bar"
    return request, session

def Helpers(request, session, spec):
    request.add_header("X-A", "1")
    request.delete_header("X-Gone")
    request.add_param("p", "2")
    request.delete_param("q")
    request.add_header("X-Host", request.get_header("Host"))
    request.add_header("X-None", str(request.get_header("Nope")))
    return request, session

def Boom(request, session, spec):
    return 1 / 0

def Logs(request, session, spec):
    tyk.log("d", "debug")
    tyk.log("i", "info")
    tyk.log("w", "warning")
    tyk.log("e", "error")
    tyk.log("other", "verbose")
    tyk.log_error("e2")
    tyk.store_data("k", "v", 60)
    request.add_header("X-Data", repr(tyk.get_data("k")) + repr(tyk.get_data("missing")))
    return request, session

def TwoArgs(request, session):
    return request, session

@Event
def OnEvent(event, spec):
    tyk.store_data("event", event.message["Type"] + "/" + spec["APIID"] + "/" + event.handler_name, 0)
'''

MANIFEST = {
    "file_list": ["middleware.py", "helper_mod.py"],
    "custom_middleware": {
        "driver": "python",
        "pre": [{"name": "HookThree"}, {"name": "PreDecorated"}, {"name": "Plain"}, {"name": "Overrides"}, {"name": "Helpers"}, {"name": "Boom"}, {"name": "Logs"}],
        "auth_check": {"name": "AuthDecorated"},
        "post_key_auth": [{"name": "PostKeyAuthDecorated"}, {"name": "HookFour"}, {"name": "NewObjects"}],
        "post": [{"name": "PostDecorated"}],
        "response": [{"name": "HookFive"}],
    },
}


def write_bundle(files, manifest):
    folder = tempfile.mkdtemp(prefix="hookgate-py-")
    for name, text in files.items():
        with open(os.path.join(folder, name), "w") as f:
            f.write(text)
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f)
    return folder


class CallsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = write_bundle({"middleware.py": MIDDLEWARE.format(helper="helper_mod"), "helper_mod.py": 'VALUE = "from helper"\n'}, MANIFEST)
        cls.bundle = load_bundle(cls.folder, name="bundle.zip")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder)
        sys.path.remove(cls.folder)

    def test_argument_counts_pick_the_convention_for_every_decorator(self):
        self.assertEqual(self.bundle.call("HookThree").request.set_headers["X-Conv"], "3")
        self.assertEqual(self.bundle.call("HookFour", kind="post_key_auth", session=session()).token, "four")
        self.assertEqual(self.bundle.call("PreDecorated").request.set_headers["X-Pre"], "pre")
        self.assertEqual(self.bundle.call("PostDecorated", session=session(metadata={"user": "ann"})).request.set_headers["X-Post"], "ann")
        self.assertEqual(self.bundle.call("PostKeyAuthDecorated", session=session(rate=3.0)).request.set_headers["X-PKA"], "3.0")
        result = self.bundle.call("AuthDecorated", headers={"Authorization": "good"})
        self.assertTrue(result.allowed)
        self.assertEqual((result.token, result.session.rate), ("good", 10.0))
        refused = self.bundle.call("AuthDecorated", headers={"Authorization": "bad"})
        self.assertEqual((refused.allowed, refused.status, refused.error), (False, 403, "Forbidden"))

    def test_a_function_without_decorator_is_called_by_its_argument_count(self):
        result = self.bundle.call("Plain")
        self.assertEqual(result.request.set_headers["X-Plain"], "yes")  # returned nothing: in place counts

    def test_returned_new_session_and_metadata_are_used(self):
        result = self.bundle.call("NewObjects", session=session(rate=1.0))
        self.assertEqual(result.session.rate, 7.0)
        self.assertEqual(result.token, "fresh")

    def test_response_hook_rewrites_the_body_with_a_local_import(self):
        result = self.bundle.call("HookFive", response=response_object(200, {"content-type": "text/plain"}, b"up"))
        self.assertEqual(result.response.raw_body, b"five:up")
        self.assertEqual(result.response.headers["X-Five"], "from helper")
        self.assertEqual(result.response.headers["Content-Type"], "text/plain")

    def test_request_helpers_and_fields(self):
        request = mini_request("POST", "/api/x", query={"q": "1", "keep": "2"}, headers={"x-gone": "a", "content-type": "text/plain"}, body="hi", host="gw.example")
        self.assertEqual((request.url, request.request_uri, request.method, request.scheme), ("/api/x?q=1&keep=2", "/api/x?q=1&keep=2", "POST", "http"))
        self.assertEqual((request.body, request.raw_body, request.params["q"]), ("hi", b"hi", "1"))
        self.assertEqual(request.headers["Content-Type"], "text/plain")
        self.assertEqual(request.return_overrides.response_code, -1)
        result = self.bundle.call("Helpers", request=request)
        changed = result.request
        self.assertEqual(dict(changed.set_headers), {"X-A": "1", "X-Host": "gw.example", "X-None": "None"})
        self.assertEqual((list(changed.delete_headers), dict(changed.add_params), list(changed.delete_params)), (["X-Gone"], {"p": "2"}, ["q"]))

    def test_return_overrides_as_the_gateway_answers_them(self):
        error = self.bundle.call("Overrides", query={"code": "400", "msg": "foobar"})
        self.assertEqual((error.status, error.error, error.body), (400, "foobar", '{\n    "error": "foobar"\n}'))
        raw = self.bundle.call("Overrides", query={"code": "401", "msg": '{"foo": "bar"}', "raw": "1"})
        self.assertEqual((raw.status, raw.body), (401, '{"foo": "bar"}'))
        ok = self.bundle.call("Overrides", query={"code": "200", "msg": "fine"})
        self.assertEqual((ok.status, ok.body, ok.overrides.headers["X-Foo"]), (200, "fine", "Bar"))
        self.assertEqual(self.bundle.call("Overrides", query={"code": "400", "msg": ""}).error, "Key not authorised")

    def test_an_exception_is_a_failed_call_with_the_plugins_traceback(self):
        with self.assertRaises(HookFailed) as caught:
            self.bundle.call("Boom")
        self.assertEqual(caught.exception.message, "Hook 'Boom' returned an error: ZeroDivisionError: division by zero")
        self.assertIn("return 1 / 0", caught.exception.trace)
        self.assertIsInstance(caught.exception.__cause__, ZeroDivisionError)

    def test_logs_levels_and_data(self):
        result = self.bundle.call("Logs")
        self.assertEqual(result.logs, [("debug", "d"), ("info", "i"), ("warn", "w"), ("error", "e"), ("info", "other"), ("error", "e2")])
        self.assertEqual(result.request.set_headers["X-Data"], "b'v'b''")

    def test_spec_carries_the_bundle_hash_and_go_json_config_data(self):
        request = mini_request()
        result = self.bundle.call("HookThree", request=request, config_data={"b": 1, "a": "<&>"})
        spec = result.object.spec
        self.assertEqual(spec["bundle_hash"], "c343271e0935000c0ea41f8d9822015c")  # md5("bundle.zip"), protocol.md 2.3
        self.assertEqual(spec["config_data"], '{"a":"\\u003c\\u0026\\u003e","b":1}')
        self.assertEqual((spec["APIID"], spec["OrgID"]), ("test-api", "test-org"))

    def test_event_handlers_run(self):
        self.bundle.event("OnEvent", "AuthFailure", {"Key": "k"}, api_id="api-1")
        self.assertEqual(self.bundle.store["event"][0], "AuthFailure/api-1/OnEvent")

    def test_pre_and_auth_hooks_get_no_session_response_hooks_always_one(self):
        self.assertFalse(self.bundle.call("HookThree").object.HasField("session"))
        self.assertTrue(self.bundle.call("HookFive").object.HasField("session"))


class LoadErrorsTest(unittest.TestCase):
    def load(self, files, manifest=None):
        folder = write_bundle(files, manifest or {"file_list": sorted(files), "custom_middleware": {"driver": "python", "pre": [{"name": "Hook1"}]}})
        self.addCleanup(shutil.rmtree, folder)
        try:
            return load_bundle(folder)
        finally:
            if folder in sys.path:
                sys.path.remove(folder)
            sys.modules.pop("middleware", None)
            sys.modules.pop("entry", None)

    def test_a_syntax_error_names_the_file_and_line(self):
        with self.assertRaises(LoadError) as caught:
            self.load({"middleware.py": "def Hook1(request, session, spec):\n    return (\n\nx = = 1\n"})
        self.assertTrue(caught.exception.file.endswith("middleware.py"))
        self.assertIn("SyntaxError", caught.exception.error)
        self.assertIsNotNone(caught.exception.line)

    def test_a_failing_import_in_a_local_module_names_that_file(self):
        with self.assertRaises(LoadError) as caught:
            self.load({"middleware.py": "import broken_helper\ndef Hook1(r, s, sp):\n    return r, s\n", "broken_helper.py": "x = 1\ny = undefined_name\n"})
        self.assertTrue(caught.exception.file.endswith("broken_helper.py"))
        self.assertEqual(caught.exception.line, 2)
        self.assertEqual(caught.exception.error, "NameError: name 'undefined_name' is not defined")

    def test_a_missing_function_or_a_wrong_argument_count_is_reported(self):
        with self.assertRaises(LoadError) as missing:
            self.load({"middleware.py": "def Other(r, s, sp):\n    return r, s\n"})
        self.assertIn("manifest.json names Hook1, but middleware.py has no such function (functions: Other)", missing.exception.error)
        with self.assertRaises(LoadError) as arity:
            self.load({"middleware.py": "\n\ndef Hook1(request, session):\n    return request, session\n"})
        self.assertIn("Hook1 takes 2 positional parameters; a hook takes 3", arity.exception.error)
        self.assertEqual(arity.exception.line, 3)

    def test_the_entry_is_the_only_listed_file_else_middleware_py(self):
        manifest = {"file_list": ["entry.py"], "custom_middleware": {"driver": "python", "pre": [{"name": "Hook1"}]}}
        loaded = self.load({"entry.py": "def Hook1(r, s, sp):\n    return r, s\n"}, manifest)
        self.assertIn("Hook1", loaded.loaded.hooks)
        with self.assertRaises(LoadError) as caught:
            self.load({"entry.py": "x = 1\n"}, dict(manifest, file_list=["entry.py", "other.py"]))
        self.assertIn("the entry file middleware.py does not exist", caught.exception.error)

    def test_sys_exit_at_import_is_a_load_error_not_an_exit(self):
        with self.assertRaises(LoadError) as caught:
            self.load({"middleware.py": "import sys\nsys.exit(2)\n"})
        self.assertEqual(caught.exception.line, 2)
        self.assertIn("SystemExit: 2", caught.exception.error)


if __name__ == "__main__":
    unittest.main()
