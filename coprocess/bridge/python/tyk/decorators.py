"""`from tyk.decorators import *`. Every decorator works: the function's number of positional
parameters picks the calling convention (3: request, session, spec; 4: request, session,
metadata, spec; 5: request, response, session, metadata, spec), as Tyk's `Hook` does. In Tyk only
`Hook` works: `Pre`, `Post`, `PostKeyAuth` and `CustomKeyCheck` fail when called, and `Event`
handlers are never called."""

from inspect import getfullargspec


class HandlerDecorator(object):
    def __init__(self, f):
        self.f = f
        self.name = f.__name__
        self.arg_count = len(getfullargspec(f).args)

    def __call__(self, *args, **kwargs):
        return self.f(*args, **kwargs)

    def __repr__(self):
        return "<%s %s>" % (type(self).__name__, self.name)


class Hook(HandlerDecorator):
    def __call__(self, *args, **kwargs):
        if kwargs or len(args) == self.arg_count:
            return self.f(*args, **kwargs)
        # Tyk passes the first 3, 4 or 5 arguments according to the function's own count.
        if self.arg_count in (3, 4, 5) and len(args) >= self.arg_count:
            return self.f(*args[: self.arg_count])
        return self.f(*args)


class Pre(HandlerDecorator):
    pass


class Post(HandlerDecorator):
    pass


class PostKeyAuth(HandlerDecorator):
    pass


class CustomKeyCheck(HandlerDecorator):
    pass


class Event(HandlerDecorator):
    """An event handler: called with (event, spec)."""


class ThisIsNotADecorator(object):
    pass
