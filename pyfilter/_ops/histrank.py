"""The histogram rank op (skimage.filters.rank): a footprint as x runs and
one planned call of the engine's ``HistPlan`` (windows shrunk at the
borders, an optional mask, one statistic per pixel as float64)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from numpy.typing import NDArray

from .._cext import engine
from .._common import workers as W
from . import plans as P

_PLANS = P.Cache(32)


def methods() -> dict[str, int]:
    """The statistic codes of the engine, by method name."""
    return dict(engine("reduce").HIST_RANK_METHODS)


def footprint_runs(fp: NDArray[np.bool_], center: Sequence[int]) -> NDArray[np.intp]:
    """The True runs along x of a 3-D boolean footprint as rows (dz, dy,
    x0, len) relative to the footprint position ``center``."""
    rows = []
    cz, cy, cx = center
    for iz in range(fp.shape[0]):
        for iy in range(fp.shape[1]):
            line = np.concatenate(([0], fp[iz, iy].astype(np.int8), [0]))
            d = np.diff(line)
            starts = np.nonzero(d == 1)[0]
            ends = np.nonzero(d == -1)[0]
            for a, b in zip(starts, ends):
                rows.append((iz - cz, iy - cy, int(a) - cx, int(b - a)))
    return np.array(rows, dtype=np.intp).reshape(-1, 4)


def hist_call(image: NDArray[Any], mask: NDArray[np.uint8] | None, fp: NDArray[np.bool_],
              center: Sequence[int], method: str, nbins: int, p0: float,
              workers: Any, kbins: int = 0) -> NDArray[np.float64]:
    """The statistic ``method`` of the histogram of the in-image (and
    nonzero-``mask``) pixels under ``fp`` (3-D, placed with its position
    ``center`` on each output pixel) for the 3-D C-contiguous uint8/uint16
    ``image`` with values below ``nbins``; float64, the image's shape.
    ``kbins``: the bin count in the statistics' formulas (autolevel,
    equalize), ``nbins`` when 0."""
    if image.size == 0:
        return np.zeros(image.shape, dtype=np.float64)
    runs = footprint_runs(fp, center)
    key = (image.shape, runs.tobytes(), nbins, method, float(p0), kbins)
    plan = _PLANS.get(key)
    if plan is None:
        plan = engine("reduce").HistPlan(image.shape, runs, int(nbins), methods()[method],
                                         float(p0), int(kbins))
        _PLANS.put(key, plan)
    out = np.empty(image.shape, dtype=np.float64)
    n = W.threads_for(workers, max(1, image.size * max(1, len(runs)) * 4))
    nt = W.engine_threads(n)
    try:
        plan.run(image, mask, out, nt)
    finally:
        W.call_done(nt)
    return out
