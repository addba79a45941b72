"""The request wrapper hooks receive: `request.object` is the live MiniRequestObject."""


class TykCoProcessRequest(object):
    def __init__(self, request):
        self.object = request

    def add_header(self, key, value):
        self.object.set_headers[key] = value

    def delete_header(self, key):
        self.object.delete_headers.append(key)

    def add_param(self, key, value):
        self.object.add_params[key] = value

    def delete_param(self, key):
        self.object.delete_params.append(key)

    def get_header(self, key):
        """The header's first value, or None. Names are Go's canonical form (`Authorization`,
        `Content-Type`, `X-Api-Key`), matched exactly as in Tyk."""
        if key in self.object.headers:
            return self.object.headers[key]
        return None
