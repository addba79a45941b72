"""Tyk's wrapper around the Object a hook call carries."""

from hookgate.coprocess import HookType, Object
from tyk.request import TykCoProcessRequest

_HOOK_TYPES = {
    HookType.Unknown: "",
    HookType.Pre: "pre",
    HookType.Post: "post",
    HookType.PostKeyAuth: "postkeyauth",
    HookType.CustomKeyCheck: "customkeycheck",
    HookType.Response: "response",
}


class TykCoProcessObject(object):
    def __init__(self, object_msg):
        if not isinstance(object_msg, Object):
            raise TypeError("TykCoProcessObject takes a coprocess Object")
        self.object = object_msg
        self.request = TykCoProcessRequest(self.object.request)
        self.session = self.object.session
        self.spec = self.object.spec
        self.metadata = self.object.metadata
        self.hook_name = self.object.hook_name
        self.response = self.object.response
        self.hook_type = _HOOK_TYPES.get(self.object.hook_type, "")
