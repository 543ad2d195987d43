"""N-D correlation: pyfilter.ndimage.correlate/correlate1d against
scipy.ndimage and cv2.filter2D, preallocated outputs."""
import numpy as np
import scipy.ndimage as ndi

import pyfilter
from pyfilter import ndimage as pnd

from ._harness import Case
from ._peers import cv2


def _rand(shape, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "u":
        return rng.integers(0, 256, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _case2d(n, k, dtype, targets):
    x = _rand((n, n), dtype)
    w = _rand((k, k), np.float32, seed=1) / (k * k)
    out = np.empty_like(x)
    out_s = np.empty_like(x)
    peers = {"scipy": lambda: ndi.correlate(x, w, output=out_s, mode="mirror")}
    if cv2 is not None:
        dst = np.empty_like(x)
        peers["cv2.filter2D"] = lambda: cv2.filter2D(x, -1, w, dst=dst,
                                                     borderType=cv2.BORDER_REFLECT_101)
    name = f"{k}x{k} correlate {n}^2 {np.dtype(dtype).name}"

    def check():
        np.testing.assert_allclose(pnd.correlate(x, w, mode="mirror").astype(np.float64),
                                   ndi.correlate(x, w, mode="mirror").astype(np.float64),
                                   rtol=1e-4, atol=1e-3 * (255 if dtype == np.uint8 else 1))
    return Case(name, "correlate", lambda: pnd.correlate(x, w, output=out, mode="mirror"),
                peers, targets=targets, repeat=None if k < 31 else 5,
                flops=2.0 * k * k * n * n, check=check)


def cases():
    out = [
        _case2d(4096, 3, np.float32, {"scipy": 20, "cv2.filter2D": 1.0}),
        _case2d(2048, 7, np.float32, {"scipy": 15, "cv2.filter2D": 1.0}),
        _case2d(2048, 15, np.float32, {}),
        _case2d(2048, 31, np.float32, {}),
        _case2d(4096, 3, np.uint8, {}),
    ]
    # 3x3x3 on 256^3
    v = _rand((256, 256, 256))
    w3 = _rand((3, 3, 3), seed=2) / 27
    ov, ovs = np.empty_like(v), np.empty_like(v)
    out.append(Case("3x3x3 correlate 256^3 float32", "correlate",
                    lambda: pnd.correlate(v, w3, output=ov),
                    {"scipy": lambda: ndi.correlate(v, w3, output=ovs)},
                    targets={"scipy": 8}, flops=2.0 * 27 * v.size))
    # correlate1d, 3 taps, along each axis
    x = _rand((4096, 4096))
    o1, o1s = np.empty_like(x), np.empty_like(x)
    w1 = np.array([0.25, 0.5, 0.25])
    for axis, tgt in ((0, {"scipy": 20}), (-1, {})):
        peers = {"scipy": (lambda a=axis: ndi.correlate1d(x, w1, axis=a, output=o1s))}
        if cv2 is not None:
            k2 = w1.reshape(-1, 1) if axis == 0 else w1.reshape(1, -1)
            d2 = np.empty_like(x)
            peers["cv2.filter2D"] = (lambda k2=k2, d2=d2: cv2.filter2D(
                x, -1, k2, dst=d2, borderType=cv2.BORDER_REFLECT))
        out.append(Case(f"correlate1d 3 taps axis {axis} 4096^2 float32", "correlate",
                        (lambda a=axis: pnd.correlate1d(x, w1, axis=a, output=o1)),
                        peers, targets=tgt, flops=6.0 * x.size))
    # thread scaling on the 7x7 case: "peer" is pyfilter on one thread
    xs = _rand((2048, 2048))
    ws = _rand((7, 7), seed=3)
    os_ = np.empty_like(xs)
    out.append(Case("7x7 2048^2 f32: 2 threads vs 1 thread", "correlate",
                    lambda: pnd.correlate(xs, ws, output=os_, workers=2),
                    {"pyfilter workers=1": lambda: pnd.correlate(xs, ws, output=os_, workers=1)},
                    targets={"pyfilter workers=1": 1.6}, flops=2.0 * 49 * xs.size))
    return out
