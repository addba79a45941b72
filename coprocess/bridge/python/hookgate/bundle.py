"""Loads a bundle folder as Tyk does (protocol.md 3.8): manifest.json names the hooks; the entry file
is middleware.py, or the only file of file_list; bundle-local modules import by name. Unlike Tyk,
a function the manifest names is found without a decorator, every decorator works, and what is
wrong (a syntax error, an import that fails, a missing function, a wrong number of parameters) is
reported at load with the file and line."""

import importlib.util
import inspect
import json
import os
import sys
import traceback

from tyk.decorators import Event, HandlerDecorator

HOOK_LISTS = ("pre", "post_key_auth", "post", "response")
HOOK_ARGS = (3, 4, 5)


class LoadError(Exception):
    def __init__(self, error, file=None, line=None, trace=""):
        Exception.__init__(self, error)
        self.error = error
        self.file = file
        self.line = line
        self.trace = trace

    def describe(self):
        where = ""
        if self.file:
            where = "%s%s: " % (self.file, "" if self.line is None else " line %d" % self.line)
        return where + self.error


class Handler(object):
    """A function the bridge can call, with the convention its parameter count picks."""

    def __init__(self, name, function, arg_count, decorator):
        self.name = name
        self.function = function
        self.arg_count = arg_count
        self.decorator = decorator

    def describe(self):
        return {"args": self.arg_count, "decorator": self.decorator}


def read_manifest(bundle_dir):
    path = os.path.join(bundle_dir, "manifest.json")
    try:
        with open(path, "rb") as f:
            manifest = json.loads(f.read().decode("utf-8-sig"))
    except (IOError, OSError) as err:
        raise LoadError("cannot read manifest.json: %s" % err, path)
    except ValueError as err:
        raise LoadError("manifest.json is not JSON: %s" % err, path)
    if not isinstance(manifest, dict):
        raise LoadError("manifest.json must be a JSON object", path)
    return manifest


def entry_file(manifest):
    """middleware.py, unless file_list has exactly one file (Tyk's rule)."""
    files = manifest.get("file_list") or []
    if isinstance(files, list) and len(files) == 1 and isinstance(files[0], str):
        return files[0]
    return "middleware.py"


def hook_names(manifest):
    """The functions custom_middleware names (enabled entries only), in chain order."""
    section = manifest.get("custom_middleware") or {}
    names = []
    entries = list(section.get("pre") or [])
    auth = section.get("auth_check")
    if isinstance(auth, dict):
        entries.append(auth)
    for point in HOOK_LISTS[1:]:
        entries.extend(section.get(point) or [])
    for entry in entries:
        if isinstance(entry, dict) and not entry.get("disabled") and entry.get("name"):
            if entry["name"] not in names:
                names.append(entry["name"])
    return names


def _location(err, bundle_dir):
    """The innermost traceback frame inside the bundle: where the plugin's own code failed."""
    if isinstance(err, SyntaxError) and err.filename:
        return err.filename, err.lineno
    found = (None, None)
    root = os.path.realpath(bundle_dir) + os.sep
    for frame in traceback.extract_tb(err.__traceback__):
        if os.path.realpath(frame.filename).startswith(root):
            found = (frame.filename, frame.lineno)
    return found


def _import(path, bundle_dir):
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LoadError("cannot load %s as a Python module" % os.path.basename(path), path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as err:  # a bundle that calls sys.exit() at import fails to load too
        sys.modules.pop(name, None)
        file, line = _location(err, bundle_dir)
        summary = traceback.format_exception_only(type(err), err)[-1].strip()
        raise LoadError(summary, file or path, line, traceback.format_exc())
    return module


def arg_count(function):
    return len(inspect.getfullargspec(function).args)


def _decorated(module):
    handlers = {}
    for attr in dir(module):
        value = getattr(module, attr, None)
        if isinstance(value, HandlerDecorator):
            handlers[value.name] = Handler(value.name, value.f, value.arg_count, type(value).__name__)
    return handlers


def find_handler(module, decorated, name):
    """A decorated handler registered under its function's name (Tyk), else a plain function."""
    handler = decorated.get(name)
    if handler is not None:
        return handler
    value = getattr(module, name, None)
    if value is None or inspect.isclass(value) or not callable(value):
        return None
    try:
        count = arg_count(value)
    except TypeError:
        return None
    return Handler(name, value, count, None)


class Bundle(object):
    def __init__(self, bundle_dir, module, hooks, decorated):
        self.dir = bundle_dir
        self.module = module
        self.hooks = hooks
        self._decorated = decorated

    def hook(self, name):
        handler = self.hooks.get(name)
        if handler is None:
            handler = find_handler(self.module, self._decorated, name)
            if handler is not None and handler.arg_count in HOOK_ARGS:
                self.hooks[name] = handler
            else:
                handler = None
        return handler

    def event_handler(self, name):
        return find_handler(self.module, self._decorated, name)


def load(bundle_dir, names=None, entry=None):
    """Imports the bundle and checks every function its manifest names."""
    bundle_dir = os.path.abspath(bundle_dir)
    manifest = read_manifest(bundle_dir)
    if names is None:
        names = hook_names(manifest)
    path = os.path.join(bundle_dir, entry or entry_file(manifest))
    if not os.path.isfile(path):
        raise LoadError("the entry file %s does not exist (manifest.json's file_list: %s)" % (os.path.basename(path), json.dumps(manifest.get("file_list"))), path)
    if bundle_dir not in sys.path:
        sys.path.insert(0, bundle_dir)
    module = _import(path, bundle_dir)
    decorated = _decorated(module)
    hooks = {}
    for name in names:
        handler = find_handler(module, decorated, name)
        if handler is None:
            known = sorted(n for n in dir(module) if not n.startswith("_") and inspect.isfunction(getattr(module, n)))
            raise LoadError("manifest.json names %s, but %s has no such function (functions: %s)" % (name, os.path.basename(path), ", ".join(known) or "none"), path)
        if handler.decorator == Event.__name__ or handler.arg_count not in HOOK_ARGS:
            line = None
            try:
                line = inspect.getsourcelines(handler.function)[1]
            except (OSError, TypeError):
                pass
            raise LoadError(
                "%s takes %d positional parameters; a hook takes 3 (request, session, spec), 4 (request, session, metadata, spec) or 5 (request, response, session, metadata, spec)"
                % (name, handler.arg_count),
                path,
                line,
            )
        hooks[name] = handler
    return Bundle(bundle_dir, module, hooks, decorated)
