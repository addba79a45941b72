"""The runtime stays within what every supported CPython accepts: 3.8 syntax, no `imp` (removed in
3.12), and nothing outside the standard library."""

import ast
import os
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OWN = {"tyk", "gateway", "hookgate", "tests"} | {name[:-3] for name in os.listdir(ROOT) if name.endswith("_pb2.py")}


def sources():
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            if name.endswith(".py"):
                yield os.path.join(folder, name)


def imported(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


class CompatibilityTest(unittest.TestCase):
    def test_every_file_parses_as_python_3_8(self):
        for path in sources():
            with open(path, encoding="utf-8") as f:
                ast.parse(f.read(), path, feature_version=(3, 8))

    def test_only_the_standard_library_and_never_imp(self):
        stdlib = getattr(sys, "stdlib_module_names", None)
        for path in sources():
            with open(path, encoding="utf-8") as f:
                names = set(imported(ast.parse(f.read(), path)))
            self.assertNotIn("imp", names, path)
            if stdlib is not None:  # Python 3.10+ lists its standard library
                self.assertEqual(sorted(n for n in names if n not in stdlib and n not in OWN and n != "__future__"), [], path)


if __name__ == "__main__":
    unittest.main()
