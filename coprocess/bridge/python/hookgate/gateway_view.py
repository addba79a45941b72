"""What a gateway sends to a hook and makes of its reply, for the test kit: the Object built as
Tyk's (and Hookgate's) gateway builds it (protocol.md 2.3), and the outcome the client would see
(2.6, 2.7). Kept apart from hookgate.testing so the rules are easy to check against the spec."""

import hashlib
import json

from hookgate.coprocess import Header, HookType, MiniRequestObject, Object, ResponseObject

KINDS = {
    "pre": HookType.Pre,
    "auth_check": HookType.CustomKeyCheck,
    "post_key_auth": HookType.PostKeyAuth,
    "post": HookType.Post,
    "response": HookType.Response,
}


def canonical_header_key(name):
    """Go's textproto.CanonicalMIMEHeaderKey: `x-api-key` becomes `X-Api-Key`."""
    if not name.isascii() or not all(c.isalnum() or c in "!#$%&'*+-.^_`|~" for c in name):
        return name
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def go_json(value):
    """Go's json.Marshal of decoded JSON: sorted keys, compact, <, > and & escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def spec_map(api_id="test-api", org_id="test-org", bundle="", config_data=None):
    """The `spec` map: OrgID, APIID, bundle_hash (md5 of the bundle name) and config_data."""
    spec = {"OrgID": org_id, "APIID": api_id, "bundle_hash": hashlib.md5(bundle.encode("utf-8")).hexdigest()}
    if config_data:
        spec["config_data"] = config_data if isinstance(config_data, str) else go_json(config_data)
    return spec


def _query_string(query):
    from urllib.parse import urlencode

    if not query:
        return ""
    pairs = query.items() if isinstance(query, dict) else query
    return "?" + urlencode(list(pairs))


def mini_request(method="GET", path="/", query=None, headers=None, body=b"", host="localhost", scheme="http", raw_body_only=False):
    """A MiniRequestObject as the gateway sends it: headers under Go's canonical names (first value
    only) plus Host, url and request_uri with the query, params with first values, the body as
    raw_body (and body when it is UTF-8), return_overrides.response_code = -1."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    request = MiniRequestObject()
    for name, value in (headers or {}).items():
        key = canonical_header_key(name)
        if key not in request.headers:
            request.headers[key] = value[0] if isinstance(value, (list, tuple)) else value
    request.headers["Host"] = host
    if query:
        for name, value in (query.items() if isinstance(query, dict) else query):
            if name not in request.params:
                request.params[name] = value
    request.url = path + _query_string(query)
    request.request_uri = request.url
    request.method = method
    request.scheme = scheme
    if body:
        request.raw_body = body
        if not raw_body_only:
            try:
                request.body = body.decode("utf-8")
            except UnicodeDecodeError:
                pass
    request.return_overrides.response_code = -1
    return request


def response_object(status=200, headers=None, body=b"", raw_body_only=False):
    """An upstream response as response hooks get it: headers (first values) and every value in
    multivalue_headers."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    response = ResponseObject(status_code=status)
    for name, value in (headers or {}).items():
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        key = canonical_header_key(name)
        response.headers[key] = values[0]
        response.multivalue_headers.append(Header(key=key, values=values))
    if body:
        response.raw_body = body
        if not raw_body_only:
            try:
                response.body = body.decode("utf-8")
            except UnicodeDecodeError:
                pass
    return response


def hook_object(name, kind, request, session=None, spec=None, response=None):
    """The Object for one call: pre and auth_check get no session; post_key_auth and post get the
    session (and its metadata as Object.metadata); response hooks always get one."""
    obj = Object(hook_type=KINDS[kind], hook_name=name)
    obj.request.CopyFrom(request)
    for key, value in (spec if spec is not None else spec_map()).items():
        obj.spec[key] = value
    if kind == "response" or (session is not None and kind in ("post_key_auth", "post")):
        obj.session.SetInParent()
        if session is not None:
            obj.session.CopyFrom(session)
            obj.metadata.MergeFrom(session.metadata)
    if kind == "response":
        obj.response.CopyFrom(response if response is not None else response_object())
    return obj


def error_body(message):
    """Tyk's error template."""
    return '{\n    "error": %s\n}' % json.dumps(message)


def outcome(kind, reply):
    """(status, message, body) of a request the reply stops, or None when it goes on."""
    overrides = reply.request.return_overrides
    body = overrides.response_error or overrides.response_body
    if overrides.response_code >= 400 and not overrides.override_error:
        message = body or "Key not authorised"
        return overrides.response_code, message, error_body(message)
    if overrides.response_code > 0:
        return overrides.response_code, None, body
    if kind == "auth_check":
        metadata = dict(reply.session.metadata.items()) if reply.HasField("session") else {}
        metadata.update(reply.metadata.items())
        if not reply.HasField("session") or not metadata.get("token"):
            return 403, "Forbidden", error_body("Forbidden")
    return None
