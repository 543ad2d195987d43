"""Every op can say how far it reads (its halo): a block extended by the
halo gives the whole array's result over the block, and the halo is tight
(one less on either side changes the result)."""
import numpy as np
import pytest

from pyfilter import filters
from pyfilter import ndimage as pnd
from pyfilter._ops.halo import halo

_K = np.random.default_rng(7).standard_normal((5, 4))
_K3 = np.random.default_rng(8).standard_normal((3, 2, 3))
_KZ = np.random.default_rng(9).standard_normal((4, 5))
_KZ[0] = 0.0        # a skipped first row: the halo shrinks
_KZ[:, -1] = 0.0    # and a skipped last column

# (function, shape, args, kwargs)
CASES = [
    (pnd.correlate, (40, 37), (_K,), {}),
    (pnd.correlate, (40, 37), (_K,), {"origin": (1, -2)}),
    (pnd.convolve, (40, 37), (_K,), {"origin": (-1, 1)}),
    (pnd.correlate, (20, 21, 22), (_K3,), {}),
    (pnd.convolve, (30, 31, 6), (_K,), {"axes": (0, 1)}),
    (pnd.correlate, (40, 37), (_KZ,), {}),
    (pnd.correlate, (40, 37), (_K,), {"method": "fft"}),
    (pnd.convolve1d, (40, 37), ([1.0, -3.0, 2.0],), {"axis": 1, "origin": 1}),
    (pnd.correlate1d, (40, 37), (np.array([1.0 + 1j, -3.0, 2.0j]),), {"axis": 0}),
    (filters.correlate, (40, 37), (_K,), {}),
    (filters.correlate, (40, 37), (_K,), {"dilation": (2, 3), "origin": (1, 0)}),
    (filters.convolve, (40, 37), (_KZ,), {"dilation": 2}),
    (filters.correlate, (30, 31, 6), (_K,), {"channel_axis": -1}),
    (filters.correlate, (40, 37), (np.outer([1.0, 2, 1], [1.0, 0, -1, 2]),),
     {"method": "separable"}),
    (filters.laplace, (40, 37), (), {}),
    (pnd.gaussian_filter, (40, 37), (2.0,), {}),
    (pnd.gaussian_filter, (30, 31, 5), ((1.5, 1.0, 0),), {}),
    (pnd.gaussian_filter, (41, 39), (1.2,), {"order": (1, 2), "truncate": 3.0}),
    (pnd.gaussian_filter1d, (41, 39), (2.0,), {"axis": 0, "radius": 5}),
    (pnd.uniform_filter, (40, 37), ((4, 5),), {"origin": (1, -1)}),
    (pnd.uniform_filter1d, (40, 37), (6,), {"axis": -1, "origin": 2}),
    (pnd.sobel, (40, 37), (), {"axis": 0}),
    (pnd.prewitt, (20, 21, 22), (), {"axis": 2}),
    (pnd.laplace, (40, 37), (), {}),
    (pnd.gaussian_laplace, (40, 37), (1.5,), {}),
    (pnd.gaussian_gradient_magnitude, (20, 21, 22), (1.0,), {}),
    (pnd.correlate1d, (40, 37), ([1.0, -3.0, 2.0, 5.0],), {"axis": 0, "origin": -1}),
    (pnd.maximum_filter, (40, 37), (), {"size": 5}),
    (pnd.minimum_filter, (40, 37), (), {"size": (4, 7), "origin": (1, -3)}),
    (pnd.maximum_filter, (30, 31, 5), (), {"size": (5, 4, 1), "origin": (0, 1, 0)}),
    (pnd.minimum_filter, (20, 21, 22), (), {"size": (1, 6, 3), "axes": None}),
    (pnd.maximum_filter, (40, 37), (), {"footprint": [[0, 1, 0], [1, 1, 1], [0, 1, 1]],
                                        "origin": (0, 1)}),
    # tight on the True taps: an all-False last row and first column
    (pnd.minimum_filter, (40, 37), (), {"footprint": [[0, 0, 1, 0], [0, 1, 0, 1],
                                                      [0, 0, 0, 0]], "origin": (-1, 0)}),
    (pnd.maximum_filter, (30, 31, 6), (), {"footprint": [[1, 0], [1, 1]], "axes": (0, 1)}),
    (pnd.maximum_filter1d, (41, 39), (5,), {"axis": 0, "origin": 1}),
    (pnd.median_filter, (40, 37), (), {"size": 5, "mode": "wrap"}),
    (pnd.rank_filter, (30, 31, 5), (3,), {"size": (3, 4, 1), "origin": (1, 0, 0)}),
    (pnd.percentile_filter, (40, 37), (30,),
     {"footprint": [[0, 1, 0], [1, 1, 1], [0, 1, 1]], "mode": "constant", "cval": 2.0}),
    (pnd.minimum_filter1d, (41, 39), (4,), {"axis": -1}),
    (pnd.minimum_filter1d, (20, 21, 22), (9,), {"axis": 1, "origin": -4}),
]


def _block_result(func, x, args, kwargs, lo, hi, h):
    """func over the block [lo, hi) computed from x[lo - below : hi + above]."""
    sl_in = tuple(slice(a - b0, c + b1) for a, c, (b0, b1) in zip(lo, hi, h))
    sub = func(np.ascontiguousarray(x[sl_in]), *args, **kwargs)
    sl_out = tuple(slice(b0, b0 + (c - a)) for a, c, (b0, b1) in zip(lo, hi, h))
    return sub[sl_out]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_halo_is_sufficient_and_tight(rng, case):
    func, shape, args, kwargs = CASES[case]
    x = rng.standard_normal(shape)
    h = halo(func, x, *args, **kwargs)
    assert h is not None and len(h) == x.ndim
    full = func(x, *args, **kwargs)
    lo = [b0 + 2 for b0, b1 in h]
    hi = [n - b1 - 2 for n, (b0, b1) in zip(shape, h)]
    assert all(a < c for a, c in zip(lo, hi)), (h, shape)
    inner = tuple(slice(a, c) for a, c in zip(lo, hi))
    for mode in ("reflect", "wrap", "constant"):
        kw = dict(kwargs, mode=mode)
        ref = func(x, *args, **kw)[inner]
        np.testing.assert_allclose(_block_result(func, x, args, kw, lo, hi, h), ref,
                                   rtol=1e-12, atol=1e-12)
    # tight: one less on a side (where the halo is not zero) changes the block
    for a, (b0, b1) in enumerate(h):
        for side in (0, 1):
            if (b0, b1)[side] == 0:
                continue
            hh = list(h)
            hh[a] = (b0 - 1, b1) if side == 0 else (b0, b1 - 1)
            got = _block_result(func, x, args, dict(kwargs, mode="constant", cval=1e6),
                                lo, hi, hh)
            assert not np.allclose(got, full[inner]), (a, side)


def test_halo_of_a_shape_computes_nothing():
    assert halo(pnd.gaussian_filter, (4096, 4096), 3.0) == ((12, 12), (12, 12))
    assert halo(pnd.uniform_filter, (10, 10, 3), (3, 3, 1)) == ((1, 1), (1, 1), (0, 0))


def test_halo_of_window_reductions():
    assert halo(pnd.maximum_filter, (64, 64), 5) == ((2, 2), (2, 2))
    assert halo(pnd.minimum_filter, (64, 64, 3), (4, 5, 1), origin=(1, 0, 0)) == \
        ((3, 0), (2, 2), (0, 0))
    assert halo(pnd.maximum_filter1d, (64, 64), 4, axis=0) == ((2, 1), (0, 0))
    assert halo(pnd.maximum_filter, (64, 64), footprint=[[0, 0, 0], [0, 1, 1]]) == \
        ((0, 0), (0, 1))


def test_halo_unknown_for_callables():
    def d(input, axis, output, mode, cval):
        return pnd.sobel(input, axis, output, mode, cval)
    assert halo(pnd.generic_laplace, (10, 10), d) is None
    assert filters is not None


def test_halo_of_correlations_follows_scipy_placement():
    # scipy places a kernel of length L at -(L // 2 + origin) .. L - 1 - (L // 2 + origin)
    w = np.ones((5, 4))
    assert halo(pnd.correlate, (64, 64), w) == ((2, 2), (2, 1))
    assert halo(pnd.correlate, (64, 64), w, origin=(1, -1)) == ((3, 1), (1, 2))
    # convolve: the reversed kernel, an even length shifted by one more
    assert halo(pnd.convolve, (64, 64), w) == ((2, 2), (1, 2))
    assert halo(pnd.correlate1d, (64, 64), np.ones(4), axis=0) == ((2, 1), (0, 0))
    # dilation 2 of a 3-tap kernel spans 5 positions
    assert halo(filters.correlate, (64, 64), np.ones((3, 3)), dilation=2) == ((2, 2), (2, 2))
    assert halo(filters.correlate, (64, 64, 3), np.ones((3, 3)),
                channel_axis=-1) == ((1, 1), (1, 1), (0, 0))
    # a huge input: nothing is computed
    assert halo(pnd.correlate, (1 << 20, 1 << 20), np.ones((3, 3))) == ((1, 1), (1, 1))
