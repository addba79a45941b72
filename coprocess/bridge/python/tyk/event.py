"""An event as handlers receive it: the JSON payload's keys as attributes (`message`,
`handler_name`, `spec`)."""

import json


class TykEvent(object):
    def __init__(self, event_json):
        self.__dict__ = json.loads(event_json)
