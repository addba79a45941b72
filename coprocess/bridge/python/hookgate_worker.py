"""Entry point of a bridge worker process (run by the bridge, not by hand). Being a script in this
folder puts this folder first on sys.path, so `tyk`, `gateway` and `hookgate` are Hookgate's."""

import sys

from hookgate.worker import main

if __name__ == "__main__":
    sys.exit(main())
