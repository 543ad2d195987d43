"""N-D correlation: pyfilter.ndimage.correlate/correlate1d against
scipy.ndimage and cv2.filter2D, preallocated outputs.

The size sweeps time one call per run (3x3 random float32 kernel, mode
'reflect' = cv2.BORDER_REFLECT, the default thread counts of every
library): per-call overhead at 16^2, the engine at 4096^2.  Each case is
checked against scipy before it is timed."""
import numpy as np
import scipy.ndimage as ndi

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


SIZES = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096]


def _repeat(nelem):
    """Runs per case: many for the per-call sizes (medians of single calls)."""
    return max(7, min(2000, int(4e6 / max(nelem, 1))))


def _sweep(n, dtype, out_dtype=None):
    """3x3 'reflect' on an n x n image; ``out_dtype`` for uint8 into float32."""
    x = _rand((n, n), dtype)
    w = _rand((3, 3), np.float32, seed=1)
    odt = np.dtype(out_dtype or dtype)
    out, out_s = np.empty(x.shape, odt), np.empty(x.shape, odt)
    peers = {"scipy": lambda: ndi.correlate(x, w, output=out_s, mode="reflect")}
    targets = {"scipy": 1.0}
    if cv2 is not None and (odt == x.dtype == np.float32 or out_dtype is not None):
        dst = np.empty(x.shape, odt)
        ddepth = -1 if odt == x.dtype else cv2.CV_32F
        peers["cv2.filter2D"] = lambda: cv2.filter2D(x, ddepth, w, dst=dst,
                                                     borderType=cv2.BORDER_REFLECT)
        if n >= 256 and out_dtype is None:
            targets["cv2.filter2D"] = 1.0
    tag = np.dtype(dtype).name + ("" if out_dtype is None else "->" + odt.name)
    name = f"3x3 reflect {n}^2 {tag}"

    def check():
        ours = pnd.correlate(x, w, output=odt, mode="reflect")
        ref = ndi.correlate(x, w, output=odt, mode="reflect")
        if odt.kind == "f" and x.dtype == np.float32:
            np.testing.assert_allclose(ours, ref, rtol=1e-4, atol=1e-4)
        else:
            # float64 arithmetic: integer results equal scipy's where the
            # exact value is not within rounding of an integer
            exact = ndi.correlate(x, w, output=np.float64, mode="reflect")
            far = np.abs(exact - np.round(exact)) > 1e-9
            np.testing.assert_array_equal(ours[far], ref[far])
    return Case(name, "correlate-sizes",
                lambda: pnd.correlate(x, w, output=out, mode="reflect"), peers,
                targets=targets, repeat=_repeat(n * n), flops=18.0 * n * n, check=check)


def _hwc(dtype):
    """3x3 over the two spatial axes of a 1920x1080x3 image (the engine's
    inner channel block) against cv2.filter2D on the same HWC image."""
    x = _rand((1920, 1080, 3), dtype)
    w = _rand((3, 3), np.float32, seed=1)
    out, out_s = np.empty_like(x), np.empty_like(x)
    peers = {"scipy": lambda: ndi.correlate(x, w, output=out_s, mode="reflect",
                                            axes=(0, 1))}
    if cv2 is not None:
        dst = np.empty_like(x)
        peers["cv2.filter2D"] = lambda: cv2.filter2D(x, -1, w, dst=dst,
                                                     borderType=cv2.BORDER_REFLECT)

    def check():
        ours = pnd.correlate(x, w, mode="reflect", axes=(0, 1))
        ref = ndi.correlate(x, w, mode="reflect", axes=(0, 1))
        if x.dtype == np.float32:
            np.testing.assert_allclose(ours, ref, rtol=1e-4, atol=1e-3)
        else:
            exact = ndi.correlate(x, w, output=np.float64, mode="reflect", axes=(0, 1))
            far = np.abs(exact - np.round(exact)) > 1e-9
            np.testing.assert_array_equal(ours[far], ref[far])
    return Case(f"3x3 reflect HWC 1920x1080x3 {np.dtype(dtype).name}", "correlate-sizes",
                lambda: pnd.correlate(x, w, output=out, mode="reflect", axes=(0, 1)),
                peers, targets={"scipy": 1.0}, repeat=15, flops=18.0 * x.size,
                check=check)


def cases():
    out = [_sweep(n, np.float32) for n in SIZES]
    out += [_sweep(n, np.uint8) for n in SIZES]
    out += [_sweep(n, np.uint8, np.float32) for n in (256, 1024, 4096)]
    out += [_hwc(np.float32), _hwc(np.uint8)]
    out += [
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
