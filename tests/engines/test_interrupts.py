"""Ctrl-C during a long call: the engines check Python's signal handlers
about every 50 ms from the calling thread and raise the handler's
exception promptly (not when the call ends), on one thread or several."""
import os
import signal
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix",
                                reason="needs POSIX signals")

CALLS = {
    # single calls of several seconds on one thread of the development
    # machine (a loop of short calls would be interrupted by Python itself),
    # each with a small call on the same path first: the signal must come
    # during the engine's work, not during an import of the first call
    "correlate": ("x = np.ones((4096, 4096), np.float32); k = np.ones((101, 101), np.float32)",
                  "pnd.correlate(x[:8, :8], k[:3, :3], method='direct', workers=W)",
                  "pnd.correlate(x, k, method='direct', workers=W)"),
    "footprint": ("x = np.ones((4096, 4096), np.float32); "
                  "fp = np.random.default_rng(0).random((301, 301)) > 0.5",
                  "pnd.maximum_filter(x[:8, :8], footprint=fp[:3, :3], workers=W)",
                  "pnd.maximum_filter(x, footprint=fp, workers=W)"),
    "line": ("x = np.ones((64, 1024, 1024), np.float32)",
             "pnd.gaussian_filter(x[:2, :8, :8], 1, workers=W)",
             "pnd.gaussian_filter(x, 30, workers=W)"),
    "conv": ("x = np.ones((4, 64, 512, 512), np.float32); w = np.ones((64, 64, 5, 5), np.float32)",
             "nn.conv2d(x[:1, :, :8, :8], w, padding=2, workers=W)",
             "nn.conv2d(x, w, padding=2, workers=W)"),
}

SCRIPT = """
import os, signal, sys, threading, time
# a process started with SIGINT ignored (a background job of a
# non-interactive shell) gets no KeyboardInterrupt handler from Python
signal.signal(signal.SIGINT, signal.default_int_handler)
import numpy as np
from pyfilter import ndimage as pnd, nn
W = {workers}
{setup}
{warm}
{handler}
def fire():
    time.sleep(0.3)
    os.kill(os.getpid(), signal.SIGINT)
t0 = None
threading.Thread(target=fire, daemon=True).start()
t0 = time.perf_counter()
try:
    {call}
    print("FINISHED", time.perf_counter() - t0)
except {exc} as e:
    print("RAISED", type(e).__name__, time.perf_counter() - t0)
"""


def _run(name, workers, handler="", exc="KeyboardInterrupt"):
    setup, warm, call = CALLS[name]
    code = SCRIPT.format(workers=workers, setup=setup, warm=warm, call=call, handler=handler,
                         exc=exc)
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "Exception ignored" not in out.stderr, out.stderr
    return out.stdout.split()


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("name", sorted(CALLS))
def test_ctrl_c_interrupts_a_long_call(name, workers):
    res = _run(name, workers)
    assert res[0] == "RAISED" and res[1] == "KeyboardInterrupt", res
    # the signal comes at 0.3 s; a call left to finish takes seconds
    assert float(res[2]) < 0.3 + 0.7, res


def test_the_handlers_own_exception_propagates():
    handler = ("class Stop(Exception):\n    pass\n"
               "def h(signum, frame):\n    raise Stop()\n"
               "signal.signal(signal.SIGINT, h)")
    res = _run("correlate", 1, handler=handler, exc="Stop")
    assert res[:2] == ["RAISED", "Stop"], res
