"""A bounded fuzz of the public functions against their peers.

Random shapes (0-size, length-1 and elongated axes included), every dtype
the peer takes, random modes, origins, sizes and cvals, and every memory
layout (C, Fortran, strided, negative strides, byte-swapped, read-only,
unaligned): the result equals the peer's (scipy.ndimage, scikit-image,
torch) or both raise, and the caller's array is left as it was.  Seeds are
fixed, so a failure reproduces; the number of cases per function is
bounded so the whole file runs in seconds.
"""
import warnings

import numpy as np
import pytest
import scipy.ndimage as ndi

from pyfilter import filters, nn, ndimage as pnd

from tests.helpers import assert_close_to_peer, requires_torch, torch

try:
    import skimage.filters as skf
except ImportError:  # pragma: no cover
    skf = None

CASES = 24
MODES = ["reflect", "constant", "nearest", "mirror", "wrap"]
REAL = [np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64,
        np.uint64, np.float32, np.float64]


def _shape(rng, ndim):
    choices = [0, 1, 2, 3, 5, 8, 13, 40]
    shape = [int(rng.choice(choices[1:])) for _ in range(ndim)]
    r = rng.random()
    if r < 0.1:
        shape[int(rng.integers(ndim))] = 0
    elif r < 0.3:                       # elongated
        shape[int(rng.integers(ndim))] = int(rng.integers(60, 200))
    return tuple(shape)


def _data(rng, shape, dtype):
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return rng.random(shape) > 0.5
    if dt.kind in "iu":
        info = np.iinfo(dt)
        lo, hi = max(int(info.min), -1000), min(int(info.max), 1000)
        return rng.integers(lo, hi + 1, shape).astype(dt)
    if dt.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dt)
    return (rng.standard_normal(shape) * 10).astype(dt)


def _layout(rng, x):
    """x in a random memory layout (the same values)."""
    kind = ["c", "f", "strided", "negative", "byteswapped", "readonly", "unaligned"][
        int(rng.integers(7))]
    if kind == "f":
        return kind, np.asfortranarray(x)
    if kind == "strided" and x.ndim:
        big = np.zeros(tuple(2 * n for n in x.shape), x.dtype)
        big[(slice(None, None, 2),) * x.ndim] = x
        return kind, big[(slice(None, None, 2),) * x.ndim]
    if kind == "negative" and x.ndim:
        flip = (slice(None, None, -1),) * x.ndim
        return kind, x[flip].copy()[flip]
    if kind == "byteswapped" and x.dtype.itemsize > 1:
        return kind, x.astype(x.dtype.newbyteorder("S"))
    if kind == "readonly":
        y = x.copy()
        y.setflags(write=False)
        return kind, y
    if kind == "unaligned" and x.dtype.itemsize > 1 and x.size:
        buf = np.zeros(x.nbytes + 1, np.uint8)
        y = buf[1:].view(x.dtype).reshape(x.shape)
        y[...] = x
        assert not y.flags.aligned
        return kind, y
    return "c", x.copy()


def _outcome(f):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return f()
        except (ValueError, TypeError, RuntimeError) as e:
            return e


def _compare(ours_f, ref_f, x, v, label, dtype_in=None, rtol=None, atol=None):
    before = np.array(v, copy=True)
    ref = _outcome(ref_f)
    ours = _outcome(ours_f)
    np.testing.assert_array_equal(v, before, err_msg=f"{label}: the input was modified")
    if isinstance(ref, Exception):
        assert isinstance(ours, Exception), f"{label}: scipy raised {ref!r}, we did not"
        return
    assert not isinstance(ours, Exception), f"{label}: we raised {ours!r}"
    if ours.dtype == np.bool_ and ref.dtype == np.bool_:
        ref = ref.view(np.uint8) != 0
    try:
        assert_close_to_peer(ours, ref, dtype_in=dtype_in, rtol=rtol, atol=atol)
    except AssertionError as e:
        raise AssertionError(f"{label}: {e}") from None


# ------------------------------------------------------------ scipy.ndimage
def _nd_args(rng, name, x):
    """Positional and keyword arguments of one random call of ``name``."""
    nd = x.ndim
    mode = MODES[int(rng.integers(len(MODES)))]
    cval = float(rng.choice([0.0, 1.5, -3.0]))
    kw = {"mode": mode, "cval": cval}
    if name in ("correlate", "convolve"):
        k = rng.standard_normal(tuple(int(rng.integers(1, 5)) for _ in range(nd)))
        o = [int(rng.integers(-(s // 2), (s - 1) // 2 + 1)) for s in k.shape]
        return (k,), dict(kw, origin=o)
    if name in ("correlate1d", "convolve1d"):
        n = int(rng.integers(1, 7))
        return (rng.standard_normal(n),), dict(kw, axis=int(rng.integers(-nd, nd)),
                                                  origin=int(rng.integers(-(n // 2),
                                                                          (n - 1) // 2 + 1)))
    if name in ("uniform_filter", "maximum_filter", "minimum_filter"):
        s = [int(rng.integers(1, 6)) for _ in range(nd)]
        o = [int(rng.integers(-(v // 2), (v - 1) // 2 + 1)) for v in s]
        if name != "uniform_filter" and rng.random() < 0.3:
            fp = rng.random(tuple(s)) > 0.4
            fp.flat[0] = True
            return (), dict(kw, footprint=fp, origin=o)
        return (s,), dict(kw, origin=o)
    if name in ("uniform_filter1d", "maximum_filter1d", "minimum_filter1d"):
        s = int(rng.integers(1, 7))
        return (s,), dict(kw, axis=int(rng.integers(-nd, nd)),
                          origin=int(rng.integers(-(s // 2), (s - 1) // 2 + 1)))
    if name in ("gaussian_filter", "gaussian_laplace", "gaussian_gradient_magnitude"):
        return (float(rng.choice([0.5, 1.0, 2.0])),), kw
    if name == "gaussian_filter1d":
        return (float(rng.choice([0.5, 1.0, 2.0])),), dict(
            kw, axis=int(rng.integers(-nd, nd)), order=int(rng.integers(0, 3)))
    if name in ("sobel", "prewitt"):
        return (), dict(kw, axis=int(rng.integers(-nd, nd)))
    return (), kw                               # laplace


ND_FUNCS = ["correlate", "convolve", "correlate1d", "convolve1d", "uniform_filter",
            "uniform_filter1d", "maximum_filter", "minimum_filter", "maximum_filter1d",
            "minimum_filter1d", "gaussian_filter", "gaussian_filter1d", "gaussian_laplace",
            "gaussian_gradient_magnitude", "sobel", "prewitt", "laplace"]
COMPLEX_OK = {"correlate", "convolve", "correlate1d", "convolve1d"}


@pytest.mark.parametrize("name", ND_FUNCS)
def test_ndimage_against_scipy(name):
    rng = np.random.default_rng(sum(map(ord, name)))
    dtypes = REAL + ([np.complex64, np.complex128] if name in COMPLEX_OK else [])
    for case in range(CASES):
        dt = dtypes[case % len(dtypes)]
        x = _data(rng, _shape(rng, int(rng.integers(1, 4))), dt)
        args, kw = _nd_args(rng, name, x)
        if x.dtype.kind == "c":
            kw["cval"] = complex(kw["cval"], 0.5)
        kind, v = _layout(rng, x)
        label = f"{name} case {case} {x.dtype} {x.shape} {kind} {kw}"
        # integer outputs of float arithmetic: within one unit of scipy's
        # (float32 working precision for 8/16-bit data; scipy rounds float64)
        if x.dtype.kind in "biu" and name not in ("maximum_filter", "minimum_filter",
                                                  "maximum_filter1d", "minimum_filter1d"):
            before = v.copy()
            ref = _outcome(lambda: getattr(ndi, name)(x, *args, **kw))
            ours = _outcome(lambda: getattr(pnd, name)(v, *args, **kw))
            np.testing.assert_array_equal(v, before, err_msg=label)
            assert isinstance(ref, Exception) == isinstance(ours, Exception), (label, ref, ours)
            if not isinstance(ref, Exception):
                assert ours.dtype == ref.dtype and ours.shape == ref.shape, label
                diff = np.abs(ours.astype(np.float64) - ref.astype(np.float64))
                wrap = 2.0 ** (8 * ref.dtype.itemsize)
                diff = np.minimum(diff, wrap - diff) if ref.dtype.kind == "u" else diff
                assert (diff <= 1).all(), label
                continue
        _compare(lambda: getattr(pnd, name)(v, *args, **kw),
                 lambda: getattr(ndi, name)(x, *args, **kw), x, v, label,
                 dtype_in=x.dtype)


# ------------------------------------------------------------ scikit-image
SK_FUNCS = ["sobel", "scharr", "prewitt", "farid", "sobel_h", "sobel_v", "scharr_h",
            "scharr_v", "prewitt_h", "prewitt_v", "farid_h", "farid_v", "gaussian",
            "laplace", "difference_of_gaussians"]


@pytest.mark.skipif(skf is None, reason="scikit-image not installed")
@pytest.mark.parametrize("name", SK_FUNCS)
def test_filters_against_skimage(name):
    rng = np.random.default_rng(sum(map(ord, name)) + 1)
    two_d = name.endswith(("_h", "_v"))
    for case in range(CASES):
        dt = [np.uint8, np.uint16, np.int16, np.float32, np.float64, np.bool_][case % 6]
        nd = 2 if two_d else int(rng.integers(2, 4))
        shape = _shape(rng, nd)
        if any(n == 0 for n in shape):
            shape = tuple(max(n, 1) for n in shape)
        x = _data(rng, shape, dt)
        kind, v = _layout(rng, x)
        args, kw = (), {}
        if name == "gaussian":
            args = (float(rng.choice([0.5, 1.0, 2.0])),)
            kw = {"mode": MODES[int(rng.integers(len(MODES)))], "preserve_range": True}
        elif name == "difference_of_gaussians":
            args = (1.0, 2.0)
        elif name == "laplace":
            kw = {"ksize": 3}
        label = f"{name} case {case} {x.dtype} {x.shape} {kind} {kw}"
        _compare(lambda: getattr(filters, name)(v, *args, **kw),
                 lambda: getattr(skf, name)(x, *args, **kw), x, v, label,
                 rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------ torch
@requires_torch
@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d", "conv2d", "max_pool1d",
                                  "avg_pool1d", "conv1d"])
def test_nn_against_torch(name):
    import torch.nn.functional as F
    rng = np.random.default_rng(sum(map(ord, name)) + 2)
    nsp = 1 if name.endswith("1d") else 2
    for case in range(CASES):
        dt = [np.float32, np.float64][case % 2]
        n, c = int(rng.integers(0, 3)), int(rng.integers(1, 4))
        sp = tuple(int(rng.integers(1, 12)) for _ in range(nsp))
        x = _data(rng, (n, c) + sp, dt)
        kind, v = _layout(rng, x)
        k = int(rng.integers(1, 4))
        s = int(rng.integers(1, 3))
        p = int(rng.integers(0, k // 2 + 1))
        label = f"{name} case {case} {x.dtype} {x.shape} {kind} k={k} s={s} p={p}"
        if name.startswith("conv"):
            w = _data(rng, (int(rng.integers(1, 4)), c) + (k,) * nsp, dt)
            _compare(lambda: getattr(nn, name)(v, w, stride=s, padding=p),
                     lambda: getattr(F, name)(torch.from_numpy(x), torch.from_numpy(w),
                                              stride=s, padding=p).numpy(),
                     x, v, label, dtype_in=dt, rtol=1e-4, atol=1e-4)
        else:
            _compare(lambda: getattr(nn, name)(v, k, s, p),
                     lambda: getattr(F, name)(torch.from_numpy(x), k, s, p).numpy(),
                     x, v, label, dtype_in=dt)
