"""The message layer behaves as protobuf-python does where Tyk plugins rely on it."""

import json
import unittest

from hookgate.coprocess import AccessDefinition, Header, MiniRequestObject, Object, ResponseObject, SessionState


class MapsTest(unittest.TestCase):
    def test_a_missing_key_reads_empty_and_is_inserted(self):
        request = MiniRequestObject()
        self.assertEqual(request.params["override"], "")
        self.assertFalse(request.params["override"])
        self.assertIn("override", request.params)
        self.assertIsNone(request.headers.get("X-Nope"))
        self.assertNotIn("X-Nope", request.headers)

    def test_values_must_be_strings(self):
        session = SessionState()
        with self.assertRaises(TypeError):
            session.metadata["n"] = 1
        with self.assertRaises(TypeError):
            session.metadata[1] = "x"

    def test_maps_compare_with_dicts_and_merge(self):
        session = SessionState()
        session.metadata.update({"a": "1"})
        session.metadata.MergeFrom({"b": "2"})
        self.assertEqual(session.metadata, {"a": "1", "b": "2"})
        self.assertEqual(sorted(session.metadata.items()), [("a", "1"), ("b", "2")])
        del session.metadata["a"]
        self.assertEqual(len(session.metadata), 1)

    def test_message_maps_create_entries_and_refuse_assignment(self):
        session = SessionState()
        session.access_rights["api"].api_id = "api"
        session.access_rights["api"].versions.append("Default")
        self.assertEqual(session.access_rights["api"].versions, ["Default"])
        with self.assertRaises(ValueError):
            session.access_rights["other"] = AccessDefinition()


class RepeatedTest(unittest.TestCase):
    def test_repeated_scalars_are_typed_lists(self):
        request = MiniRequestObject()
        request.delete_headers.append("X-A")
        request.delete_headers.extend(["X-B"])
        self.assertEqual(request.delete_headers, ["X-A", "X-B"])
        self.assertEqual(list(request.delete_headers), ["X-A", "X-B"])
        with self.assertRaises(TypeError):
            request.delete_headers.append(3)
        with self.assertRaises(AttributeError):
            request.delete_headers = []

    def test_repeated_messages_add_and_copy_on_append(self):
        response = ResponseObject()
        header = response.multivalue_headers.add(key="Set-Cookie", values=["a=1"])
        header.values.append("b=2")
        other = Header(key="X-A", values=["1"])
        response.multivalue_headers.append(other)
        other.key = "changed"
        self.assertEqual([h.key for h in response.multivalue_headers], ["Set-Cookie", "X-A"])
        self.assertEqual(response.multivalue_headers[0].values, ["a=1", "b=2"])


class ScalarsTest(unittest.TestCase):
    def test_defaults_and_type_checks(self):
        session = SessionState()
        self.assertEqual((session.rate, session.quota_max, session.org_id, session.is_inactive), (0.0, 0, "", False))
        session.rate = 1000
        self.assertIsInstance(session.rate, float)
        for bad in ("1000", None):
            with self.assertRaises(TypeError):
                session.rate = bad
        with self.assertRaises(TypeError):
            session.quota_max = 1.5
        with self.assertRaises(TypeError):
            session.org_id = b"bytes"
        with self.assertRaises(ValueError):
            ResponseObject().status_code = 2 ** 31

    def test_bytes_fields_take_bytes_only(self):
        request = MiniRequestObject()
        request.raw_body = b"\x00\xff"
        self.assertEqual(request.raw_body, b"\x00\xff")
        with self.assertRaises(TypeError):
            request.raw_body = "text"

    def test_unknown_fields_are_refused(self):
        with self.assertRaises(AttributeError):
            SessionState().not_a_field = 1
        with self.assertRaises(ValueError):
            SessionState(not_a_field=1)


class PresenceTest(unittest.TestCase):
    def test_reading_a_message_field_does_not_make_it_present(self):
        obj = Object()
        self.assertEqual(obj.session.rate, 0.0)
        self.assertEqual(obj.response.status_code, 0)
        self.assertFalse(obj.HasField("session"))
        self.assertFalse(obj.HasField("response"))
        self.assertNotIn("session", obj._to_wire())

    def test_writing_into_it_does_even_through_a_map(self):
        obj = Object()
        obj.session.metadata["token"] = "k"
        self.assertTrue(obj.HasField("session"))
        self.assertEqual(obj._to_wire()["session"], {"metadata": {"token": "k"}})
        nested = Object()
        nested.request.return_overrides.response_code = 403
        self.assertTrue(nested.HasField("request"))
        self.assertTrue(nested.request.HasField("return_overrides"))

    def test_assignment_to_a_message_field_is_refused(self):
        with self.assertRaises(AttributeError):
            Object().session = SessionState()

    def test_clear_copy_merge_and_set_in_parent(self):
        obj = Object()
        obj.session.SetInParent()
        self.assertTrue(obj.HasField("session"))
        obj.ClearField("session")
        self.assertFalse(obj.HasField("session"))
        source = SessionState(rate=5.0, metadata={"a": "b"}, tags=["t"])
        obj.session.CopyFrom(source)
        self.assertEqual((obj.session.rate, dict(obj.session.metadata), list(obj.session.tags)), (5.0, {"a": "b"}, ["t"]))
        obj.session.MergeFrom(SessionState(per=2.0, tags=["u"]))
        self.assertEqual((obj.session.rate, obj.session.per, list(obj.session.tags)), (5.0, 2.0, ["t", "u"]))
        self.assertEqual(obj.session, SessionState(rate=5.0, per=2.0, metadata={"a": "b"}, tags=["t", "u"]))
        with self.assertRaises(ValueError):
            obj.HasField("hook_name")


class WireTest(unittest.TestCase):
    def test_round_trip_keeps_what_was_set_and_leaves_defaults_out(self):
        wire = {
            "hook_type": 4,
            "hook_name": "Auth",
            "request": {"headers": {"Authorization": "k"}, "raw_body": "AP8=", "return_overrides": {"response_code": -1}},
            "session": {"rate": 10, "access_rights": {"a": {"api_id": "a", "versions": ["v1"]}}, "monitor": {"trigger_limits": [80, 90.5]}},
            "spec": {"APIID": "a"},
        }
        obj = Object.from_wire(json.loads(json.dumps(wire)))
        self.assertIsInstance(obj.session.rate, float)
        self.assertEqual(obj.request.raw_body, b"\x00\xff")
        out = obj._to_wire()
        self.assertEqual(out["request"]["raw_body"], "AP8=")
        self.assertEqual(out["session"]["monitor"]["trigger_limits"], [80.0, 90.5])
        obj.request.raw_body = b""
        self.assertNotIn("raw_body", obj._to_wire()["request"])

    def test_text_format_for_debugging(self):
        text = str(SessionState(rate=1.0, metadata={"token": "t"}))
        self.assertIn("rate: 1.0", text)
        self.assertIn('key: "token"', text)


if __name__ == "__main__":
    unittest.main()
