"""Calls a hook as Tyk's TykMiddleware.process does (protocol.md 3.7): the parameter count picks
the convention, and the Object is changed in place. Deliberate differences, all of which only make
plugins work that would fail or be ignored in Tyk: a hook may return nothing; a new session,
request or response it returns (instead of the ones it was given) is copied into the reply; any
decorator works; event handlers run."""

import traceback

from hookgate.coprocess import MiniRequestObject, ResponseObject, SessionState
from hookgate.proto_containers import ScalarMap
from tyk.event import TykEvent
from tyk.request import TykCoProcessRequest


class HookFailed(Exception):
    """The plugin raised: `message` is Tyk's wording, `trace` the traceback of the plugin's code."""

    def __init__(self, message, trace):
        Exception.__init__(self, message)
        self.message = message
        self.trace = trace


def _failure(name, err):
    tb = err.__traceback__
    # Leave out this module's own frame: the traceback starts in the plugin.
    if tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    trace = "".join(traceback.format_exception(type(err), err, tb))
    summary = traceback.format_exception_only(type(err), err)[-1].strip()
    return HookFailed("Hook '%s' returned an error: %s" % (name, summary), trace)


def _adopt_request(obj, returned):
    value = returned.object if isinstance(returned, TykCoProcessRequest) else returned
    if isinstance(value, MiniRequestObject) and value is not obj.request:
        obj.request.CopyFrom(value)


def _adopt(obj, field, cls, returned):
    current = getattr(obj, field)
    if isinstance(returned, cls) and returned is not current:
        current.CopyFrom(returned)


def _merge_metadata(obj, returned):
    metadata = obj.session.metadata
    if returned is None or returned is metadata:
        return
    if isinstance(returned, (ScalarMap, dict)):
        for key, value in returned.items():
            metadata[key] = value


def run_hook(handler, obj):
    """Runs `handler` on `obj` (an Object). Raises HookFailed when the plugin raises."""
    request = TykCoProcessRequest(obj.request)
    session = obj.session
    spec = obj.spec
    count = handler.arg_count
    try:
        if count == 3:
            result = handler.function(request, session, spec)
        elif count == 4:
            result = handler.function(request, session, session.metadata, spec)
        else:
            result = handler.function(request, obj.response, session, session.metadata, spec)
    except (Exception, SystemExit) as err:
        raise _failure(handler.name, err) from err
    if result is None:
        return
    if count == 5:
        _adopt(obj, "response", ResponseObject, result)
        return
    if not isinstance(result, (tuple, list)):
        return
    if len(result) >= 1:
        _adopt_request(obj, result[0])
    if len(result) >= 2:
        _adopt(obj, "session", SessionState, result[1])
    if count == 4 and len(result) >= 3:
        try:
            _merge_metadata(obj, result[2])
        except (TypeError, ValueError) as err:
            raise HookFailed("Hook '%s' returned metadata that is not a map of strings: %s" % (handler.name, err), "")


def run_event(handler, payload):
    """Runs an event handler with (event, spec); one taking a single parameter gets the event."""
    event = TykEvent(payload)
    try:
        if handler.arg_count == 1:
            handler.function(event)
        else:
            handler.function(event, getattr(event, "spec", {}))
    except (Exception, SystemExit) as err:
        raise _failure(handler.name, err) from err
