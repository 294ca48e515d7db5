import atexit
import os
import sys

from .commands.cli import main

code = main()
# A big build leaves hundreds of thousands of objects (every record's head, every page's
# digest) that the interpreter would free one by one on the way out, a cost every small
# rebuild would pay: run the exit handlers, flush, and end the process instead
# (docs/performance.md).
atexit._run_exitfuncs()
try:
    sys.stdout.flush()
    sys.stderr.flush()
except (BrokenPipeError, ValueError):  # piped into `head`; or closed by cli.main
    pass
os._exit(code)
