"""Threads on a shared machine: with another process keeping one core busy,
the default thread count must not be much slower than ``workers=1``
(target: at most 1.2x, i.e. a ratio >= 0.833, at the median and at the
90th percentile), at a small (256^2) and a large (2048^2) size."""
import contextlib
import os
import subprocess
import sys

import numpy as np

from pyfilter import ndimage as pnd

from ._harness import Case

_BUSY = "import time\nt = time.time()\nwhile time.time() - t < 600:\n    pass\n"


@contextlib.contextmanager
def busy_core():
    """A second process spinning on one core for the duration."""
    p = subprocess.Popen([sys.executable, "-c", _BUSY])
    try:
        yield p
    finally:
        p.kill()
        p.wait()


def cases():
    out = []
    rng = np.random.default_rng(0)
    for n, rep in ((256, 400), (2048, 60)):
        x = rng.standard_normal((n, n)).astype(np.float32)
        o = np.empty_like(x)
        for name, f in (("sobel", lambda x=x, o=o, w=None: pnd.sobel(x, output=o, workers=w)),
                        ("gaussian_filter sigma=1",
                         lambda x=x, o=o, w=None: pnd.gaussian_filter(x, 1.0, output=o,
                                                                      workers=w))):
            out.append(Case(
                name=f"{name} {n}^2 f32, one core busy: default threads",
                group="threads",
                pyfilter=f,
                peers={"workers=1": (lambda f=f: f(w=1))},
                targets={"workers=1": 1 / 1.2}, p90_targets={"workers=1": 1 / 1.2},
                repeat=rep, context=busy_core,
                note="another process spins on one core during the timing"))
    if os.cpu_count() == 1:
        return []
    return out
