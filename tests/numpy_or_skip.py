"""NumPy for the Python tests, or a skip (exit status 77).

The system python may have numpy when a python found first on PATH does
not: then the calling test is run again under /usr/bin/python3."""
import os
import sys


def numpy_or_skip(test_name):
    try:
        import numpy
        return numpy
    except ImportError:
        system = "/usr/bin/python3"
        if (os.path.exists(system) and not os.environ.get("OVP_CHECK_NUMPY_REEXEC")
                and os.path.realpath(sys.executable) != os.path.realpath(system)):
            os.environ["OVP_CHECK_NUMPY_REEXEC"] = "1"
            os.execv(system, [system] + sys.argv)
        print(f"{test_name}: numpy is not available; skipped")
        sys.exit(77)
