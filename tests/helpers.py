"""Helpers shared by the tests (import them: ``from tests.helpers import ...``).

Tests compare pyfilter against a peer (scipy.ndimage, OpenCV, scikit-image,
PyTorch when installed) or an independent naive numpy reference; never
against values copied from pyfilter's own output.
"""
import os

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

ALL_DTYPES = [np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32,
              np.uint32, np.int64, np.uint64, np.float32, np.float64,
              np.complex64, np.complex128]
MODES = ["reflect", "constant", "nearest", "mirror", "wrap",
         "grid-constant", "grid-mirror", "grid-wrap"]
# scipy mode -> numpy.pad mode (docs/semantics.md)
NP_PAD = {"reflect": "symmetric", "grid-mirror": "symmetric", "constant": "constant",
          "grid-constant": "constant", "nearest": "edge", "mirror": "reflect",
          "wrap": "wrap", "grid-wrap": "wrap"}

try:
    import cv2
except ImportError:  # pragma: no cover
    cv2 = None
try:
    if os.environ.get("PYFILTER_TEST_NO_TORCH"):   # the sanitizer job leaves torch out
        raise ImportError
    import torch
except ImportError:
    torch = None

requires_cv2 = pytest.mark.skipif(cv2 is None, reason="OpenCV not installed")
requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch not installed")

# scipy mode -> OpenCV border type
CV_BORDER = {}
if cv2 is not None:
    CV_BORDER = {"constant": cv2.BORDER_CONSTANT, "nearest": cv2.BORDER_REPLICATE,
                 "reflect": cv2.BORDER_REFLECT, "wrap": cv2.BORDER_WRAP,
                 "mirror": cv2.BORDER_REFLECT_101}


def random_array(rng, shape, dtype):
    """Random values that exercise a dtype (negatives wrap for unsigned)."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) > 0.5
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        lo, hi = max(info.min, -100), min(info.max, 100)
        return rng.integers(lo, hi + 1, size=shape).astype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def assert_close_to_peer(ours, ref, dtype_in=None, rtol=None, atol=None):
    """Same dtype and shape; exact for integer/bool results, tolerant for floats."""
    assert ours.shape == ref.shape, (ours.shape, ref.shape)
    assert ours.dtype == ref.dtype, (ours.dtype, ref.dtype)
    if ours.dtype.kind in "biu":
        np.testing.assert_array_equal(ours, ref)
        return
    single = ours.dtype in (np.float32, np.complex64) or (
        dtype_in is not None and np.dtype(dtype_in) in (np.float32, np.complex64))
    if rtol is None:
        rtol = 2e-5 if single else 1e-12
    if atol is None:
        atol = 2e-5 if single else 1e-12
    np.testing.assert_allclose(ours, ref, rtol=rtol, atol=atol)


def correlate_reference(x, k, shape="same", stride=1, dilation=1, mode="reflect", cval=0.0,
              origin=0, convolve=False):
    """Naive numpy correlation/convolution with the dilated kernel."""
    nd = k.ndim
    stride = (stride,) * nd if np.isscalar(stride) else tuple(stride)
    dilation = (dilation,) * nd if np.isscalar(dilation) else tuple(dilation)
    origin = (origin,) * nd if np.isscalar(origin) else tuple(origin)
    if convolve:
        k = k[(slice(None, None, -1),) * nd]
    kd = np.zeros([d * (n - 1) + 1 for n, d in zip(k.shape, dilation)], dtype=k.dtype)
    kd[tuple(slice(None, None, d) for d in dilation)] = k
    pads = []
    for Ld, o in zip(kd.shape, origin):
        if shape == "valid":
            pads.append((0, 0))
        elif shape == "full":
            pads.append((Ld - 1, Ld - 1))
        else:
            if convolve:  # scipy.ndimage.convolve's placement
                o = -o - (1 - (Ld & 1))
            left = Ld // 2 + o
            pads.append((left, Ld - 1 - left))
    kw = {"constant_values": cval} if NP_PAD[mode] == "constant" else {}
    xp = np.pad(x, pads, mode=NP_PAD[mode], **kw)
    win = sliding_window_view(xp, kd.shape)
    r = np.tensordot(win, kd, axes=nd)
    return r[tuple(slice(None, None, s) for s in stride)]
