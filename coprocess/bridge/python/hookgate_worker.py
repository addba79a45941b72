"""Entry point of a bridge worker process (run by the bridge, not by hand). Being a script in this
folder puts this folder first on sys.path, so `tyk`, `gateway` and `hookgate` are Hookgate's."""

import sys

if sys.version_info < (3, 8):
    sys.stderr.write("Hookgate's Python bridge needs Python 3.8 or newer; %s is %s\n" % (sys.executable, sys.version.split()[0]))
    sys.exit(4)

from hookgate.worker import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
