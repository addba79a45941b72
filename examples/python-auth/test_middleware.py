"""Unit tests of the tutorial's plugin, with Hookgate's Python test kit. Run from this folder:

    PYTHONPATH=$(npx hookgate python-bridge --print-pythonpath) python3 -m unittest -v
"""

import os
import unittest

from hookgate.testing import load_bundle

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = "47a0c79c427728b3df4af62b9228c8ae"


class MyAuthMiddlewareTest(unittest.TestCase):
    def setUp(self):
        self.bundle = load_bundle(HERE)

    def test_the_key_gets_a_session_of_1000_requests_per_second(self):
        result = self.bundle.call("MyAuthMiddleware", headers={"Authorization": KEY}, config_data={"greeting": "hello"})
        self.assertTrue(result.allowed)
        self.assertEqual(result.token, KEY)
        self.assertEqual(result.session.rate, 1000.0)
        self.assertEqual(result.session.per, 1.0)

    def test_it_logs_the_body_and_config_data(self):
        result = self.bundle.call("MyAuthMiddleware", method="POST", body="ping", headers={"Authorization": KEY}, config_data={"greeting": "hello"})
        self.assertEqual(result.logs, [("info", "I'm logged!"), ("info", "Request bodyping"), ("info", 'API config_data{"greeting":"hello"}')])

    def test_another_key_is_refused_as_tyk_refuses_it(self):
        result = self.bundle.call("MyAuthMiddleware", headers={"Authorization": "badtoken"})
        self.assertFalse(result.allowed)
        self.assertEqual(result.status, 403)
        self.assertEqual(result.error, "Forbidden")
        self.assertEqual(result.logs, [])

    def test_no_authorization_header_is_refused(self):
        result = self.bundle.call("MyAuthMiddleware")
        self.assertEqual((result.status, result.error), (403, "Forbidden"))

    def test_the_header_name_is_matched_in_go_canonical_form(self):
        # The gateway sends header names as Go writes them, whatever the client sent.
        result = self.bundle.call("MyAuthMiddleware", headers={"authorization": KEY})
        self.assertTrue(result.allowed)


if __name__ == "__main__":
    unittest.main()
