"""rank_filter, median_filter, percentile_filter against scipy.ndimage (exact
equality: a rank is one of the window's values), and NaN against an
independent numpy reference (numpy.sort's order: NaN last)."""
import warnings

import numpy as np
import pytest
import scipy.ndimage as ndi

from pyfilter import ndimage as pnd

MODES = ["reflect", "constant", "nearest", "mirror", "wrap", "grid-constant",
         "grid-mirror", "grid-wrap"]
DTYPES = [np.bool_, np.uint8, np.int8, np.uint16, np.int16, np.int32, np.uint32,
          np.int64, np.uint64, np.float32, np.float64]
RNG = np.random.default_rng(20261201)


def _data(shape, dtype, rng=RNG):
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return rng.random(shape) > 0.5
    if dt.kind == "f":
        return (rng.standard_normal(shape) * 10).astype(dt)
    info = np.iinfo(dt)
    lo, hi = max(info.min, -1000), min(info.max, 1000)
    return rng.integers(lo, hi, shape, endpoint=True).astype(dt)


def _same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_median_box_2d_every_dtype_and_mode(dtype, mode):
    x = _data((13, 17), dtype)
    for size in (3, (2, 5), (4, 1)):
        _same(pnd.median_filter(x, size, mode=mode, cval=3),
              ndi.median_filter(x, size, mode=mode, cval=3))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_rank_and_percentile_footprints(mode, ndim):
    rng = np.random.default_rng(ndim)
    shape = {1: (29,), 2: (11, 14), 3: (7, 6, 9)}[ndim]
    x = _data(shape, np.float64, rng)
    for trial in range(3):
        fshape = tuple(rng.integers(1, 5, ndim))
        fp = rng.random(fshape) > 0.4
        if not fp.any():
            fp.flat[0] = True
        n = int(fp.sum())
        for rank in sorted({0, n // 3, n // 2, n - 1, -1, -n}):
            _same(pnd.rank_filter(x, rank, footprint=fp, mode=mode, cval=-1.5),
                  ndi.rank_filter(x, rank, footprint=fp, mode=mode, cval=-1.5))
        for pct in (0, 10, 50, 62.5, 99.9, 100, -25):
            _same(pnd.percentile_filter(x, pct, footprint=fp, mode=mode),
                  ndi.percentile_filter(x, pct, footprint=fp, mode=mode))


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32])
def test_origins_even_sizes_and_axes(dtype):
    x = _data((9, 10, 11), dtype)
    for size, origin in [((3, 4, 2), (1, -2, 0)), (4, -1), ((5, 1, 3), (-2, 0, 1))]:
        _same(pnd.median_filter(x, size, origin=origin),
              ndi.median_filter(x, size, origin=origin))
    for axes, size, origin in [((0, 2), (3, 4), (1, 0)), ((2, 0), (5, 2), (-1, 0)),
                               ((1,), 3, 1), ((2, 1, 0), (3, 2, 4), (1, 0, -1))]:
        _same(pnd.rank_filter(x, 2, size, origin=origin, axes=axes),
              ndi.rank_filter(x, 2, size, origin=origin, axes=axes))
        fp = np.random.default_rng(1).random(np.broadcast_to(size, (len(axes),))) > 0.3
        fp.flat[0] = True
        _same(pnd.percentile_filter(x, 40, footprint=fp, axes=axes, mode="wrap"),
              ndi.percentile_filter(x, 40, footprint=fp, axes=axes, mode="wrap"))


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.uint16, np.int32, np.bool_])
@pytest.mark.parametrize("cval", [300, -1, 2.5, -7.5, 1e10, 0])
def test_constant_mode_cval_outside_the_type(dtype, cval):
    # scipy selects in float64 with the cval as given, then casts
    x = _data((8, 9), dtype)
    for size in (3, (1, 5)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = ndi.median_filter(x, size, mode="constant", cval=cval)
        _same(pnd.median_filter(x, size, mode="constant", cval=cval), ref)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.uint64, np.bool_, np.float32])
@pytest.mark.parametrize("cval", [300, -1, 2.5, 0])
def test_1d_inputs_follow_scipys_1d_rule(dtype, cval):
    # scipy ranks 1-D integers in int64 (cval converted to int64), unless
    # the window is much longer than the input (then its N-D rule)
    rng = np.random.default_rng(7)
    x = _data((23,), dtype, rng)
    if dtype == np.uint64:
        x[::3] += np.uint64(2**63)
    for n, size, origin in [(23, 3, 0), (23, 6, 1), (23, 9, -2), (4, 11, 0), (1, 3, 0),
                            (2, 7, 3)]:
        if dtype == np.uint64 and cval < 0 and n == 4:
            # the N-D rule: cval -1 is 2**64 - 1 in uint64; scipy stores its
            # results through float64, which turns that into 0 (pyfilter's
            # 64-bit results are exact: test_int64_beyond_float64_is_exact)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = ndi.median_filter(x[:n], size, mode="constant", cval=cval, origin=origin)
            ref2 = ndi.rank_filter(x[:n], 1, size, mode="nearest", origin=origin)
        _same(pnd.median_filter(x[:n], size, mode="constant", cval=cval, origin=origin), ref)
        if size > 2:
            _same(pnd.rank_filter(x[:n], 1, size, mode="nearest", origin=origin), ref2)


def test_output_dtype_and_array_and_in_place():
    x = _data((16, 15), np.float64) * 20
    for out_dt in (np.float32, np.int16, np.uint8, np.int64):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = ndi.median_filter(x, 3, output=out_dt)
            got = pnd.median_filter(x, 3, output=out_dt)
        _same(got, ref)
        out = np.empty(x.shape, out_dt)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = pnd.median_filter(x, 3, output=out)
        assert r is out
        _same(out, ref)
    y = x.copy()
    ref = ndi.rank_filter(x, 3, size=(3, 3))
    assert pnd.rank_filter(y, 3, size=(3, 3), output=y) is y
    _same(y, ref)
    # a non-contiguous output view
    big = np.zeros((32, 30))
    view = big[::2, ::2]
    pnd.percentile_filter(x, 30, size=4, output=view)
    _same(view, ndi.percentile_filter(x, 30, size=4))
    assert not big[1::2].any()


def test_large_and_hwc_inputs_and_workers_bitwise():
    x = _data((300, 257), np.float32)
    ref = ndi.median_filter(x, 5)
    one = pnd.median_filter(x, 5, workers=1)
    two = pnd.median_filter(x, 5, workers=2)
    _same(one, ref)
    assert one.tobytes() == two.tobytes()
    hwc = _data((40, 50, 3), np.uint8)
    _same(pnd.median_filter(hwc, (3, 3, 1)), ndi.median_filter(hwc, (3, 3, 1)))
    _same(pnd.median_filter(hwc, 3, axes=(0, 1)), ndi.median_filter(hwc, 3, axes=(0, 1)))
    big = _data((64, 64, 64), np.uint16)
    _same(pnd.median_filter(big, 3, workers=2), ndi.median_filter(big, 3))
    # a large window (quickselect over 441 entries)
    _same(pnd.median_filter(x[:60, :70], 21, mode="mirror"),
          ndi.median_filter(x[:60, :70], 21, mode="mirror"))


def test_int64_beyond_float64_is_exact():
    x = np.array([2**62 + 1, 2**62 + 3, 2**62 + 2, 5, 2**62 + 7], np.int64)
    # the true medians of the windows; scipy rounds through float64
    want = np.array([2**62 + 1, 2**62 + 2, 2**62 + 2, 2**62 + 2, 2**62 + 7], np.int64)
    np.testing.assert_array_equal(pnd.median_filter(x, 3), want)


def _nan_reference(x, size, rank, mode):
    pad = [((s - 1) // 2 + (1 - s % 2), s // 2 - (1 - s % 2)) for s in size]
    pad = [(s // 2, s - 1 - s // 2) for s in size]
    xp = np.pad(x, pad, mode={"reflect": "symmetric", "nearest": "edge", "wrap": "wrap"}[mode])
    win = np.lib.stride_tricks.sliding_window_view(xp, size)
    flat = np.sort(win.reshape(*x.shape, -1), axis=-1)   # NaN last
    return flat[..., rank]


@pytest.mark.parametrize("mode", ["reflect", "nearest", "wrap"])
def test_nan_ranks_above_every_number(mode):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((12, 13))
    x[rng.random(x.shape) < 0.2] = np.nan
    for size, rank in [((3, 3), 4), ((3, 3), 7), ((2, 3), 2), ((4, 4), 9)]:
        got = pnd.rank_filter(x, rank, size=size, mode=mode)
        np.testing.assert_array_equal(got, _nan_reference(x, size, rank, mode))
        got32 = pnd.rank_filter(x.astype(np.float32), rank, size=size, mode=mode)
        np.testing.assert_array_equal(got32, _nan_reference(x.astype(np.float32), size,
                                                            rank, mode))


def test_inputs_unchanged_and_size_ignored_with_footprint():
    x = _data((10, 10), np.int32)
    keep = x.copy()
    fp = np.array([[1, 0, 1], [0, 1, 0]], bool)
    with pytest.warns(UserWarning, match="ignoring size"):
        got = pnd.median_filter(x, size=5, footprint=fp)
    _same(got, ndi.median_filter(x, footprint=fp))
    _same(x, keep)
    _same(pnd.median_filter(np.float64(3.0), 1), ndi.median_filter(np.float64(3.0), 1))
    e = np.zeros((0, 4))
    _same(pnd.median_filter(e, 3), ndi.median_filter(e, 3))


def test_mode_sequence_only_for_extreme_ranks_of_a_box():
    x = _data((9, 8), np.float64)
    m = ["reflect", "wrap"]
    _same(pnd.rank_filter(x, 0, size=3, mode=m), ndi.rank_filter(x, 0, size=3, mode=m))
    _same(pnd.rank_filter(x, -1, size=(2, 3), mode=m),
          ndi.rank_filter(x, -1, size=(2, 3), mode=m))
    with pytest.raises(RuntimeError):
        ndi.rank_filter(x, 2, size=3, mode=m)
    with pytest.raises(RuntimeError, match="mode"):
        pnd.rank_filter(x, 2, size=3, mode=m)


@pytest.mark.parametrize("call, exc, match", [
    (lambda x: pnd.median_filter(x + 1j, 3), TypeError, "complex"),
    (lambda x: pnd.median_filter(x), TypeError, "size or footprint"),
    (lambda x: pnd.rank_filter(x, 1.5, size=3), TypeError, "rank must be an integer"),
    (lambda x: pnd.rank_filter(x, 9, size=3), ValueError, "rank 9"),
    (lambda x: pnd.rank_filter(x, -10, size=3), ValueError, "rank -10"),
    (lambda x: pnd.percentile_filter(x, 101, size=3), ValueError, "percentile"),
    (lambda x: pnd.percentile_filter(x, "50", size=3), TypeError, "percentile"),
    (lambda x: pnd.median_filter(x, footprint=np.zeros((3, 3))), ValueError, "True entry"),
    (lambda x: pnd.median_filter(x, footprint=np.ones(3)), ValueError, "footprint"),
    (lambda x: pnd.median_filter(x, 3, origin=2), ValueError, "origin"),
    (lambda x: pnd.median_filter(x, 0), ValueError, "size"),
    (lambda x: pnd.median_filter(x, 3, mode="bogus"), ValueError, "mode"),
    (lambda x: pnd.median_filter(x, 3, axes=(0, 5)), ValueError, "axes"),
    (lambda x: pnd.median_filter(x, 10**5), ValueError, "size"),
])
def test_bad_input(call, exc, match):
    x = _data((6, 6), np.float64)
    with pytest.raises(exc, match=match):
        call(x)


def test_scipy_raises_runtime_error_where_we_raise():
    # the same calls raise RuntimeError in scipy: ours are RuntimeErrors too
    x = _data((6, 6), np.float64)
    for call in (lambda m: m.rank_filter(x, 9, size=3),
                 lambda m: m.percentile_filter(x, 101, size=3),
                 lambda m: m.median_filter(x)):
        with pytest.raises(RuntimeError):
            call(ndi)
        with pytest.raises(RuntimeError):
            call(pnd)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.uint32, np.float32, np.float64])
def test_median_networks_any_footprint_of_9_25_27_taps(dtype):
    # the medians of 9, 25 and 27 taps run a selection network vectorised
    # across x, whatever the footprint's shape; other ranks quickselect
    rng = np.random.default_rng(11)
    x2 = _data((70, 90), dtype, rng)
    x3 = _data((12, 14, 40), dtype, rng)
    fp25 = np.zeros((7, 7), bool)
    fp25.flat[rng.choice(49, 25, replace=False)] = True
    fp9 = np.array([[1, 0, 1, 0, 1], [0, 1, 1, 1, 0], [1, 0, 1, 0, 0]], bool)
    fp27 = np.zeros((3, 4, 5), bool)
    fp27.flat[rng.choice(60, 27, replace=False)] = True
    for x, fp in ((x2, fp9), (x2, fp25), (x3, fp27), (x3, np.ones((3, 3, 3), bool))):
        for mode in ("reflect", "constant", "wrap"):
            _same(pnd.median_filter(x, footprint=fp, mode=mode, cval=1),
                  ndi.median_filter(x, footprint=fp, mode=mode, cval=1))
            n = int(fp.sum())
            _same(pnd.rank_filter(x, n // 2 - 1, footprint=fp, mode=mode),
                  ndi.rank_filter(x, n // 2 - 1, footprint=fp, mode=mode))


def test_median_network_rows_with_and_without_nan():
    # rows whose windows hold a NaN take the quickselect (NaN ranked last),
    # the others the network: both against the numpy.sort reference
    rng = np.random.default_rng(5)
    x = rng.standard_normal((40, 300)).astype(np.float32)
    x[7, 13] = x[25, 200] = x[25, 201] = np.nan
    for size in ((3, 3), (5, 5)):
        k = size[0] * size[1] // 2
        np.testing.assert_array_equal(pnd.median_filter(x, size),
                                      _nan_reference(x, size, k, "reflect"))
    clean = np.where(np.isnan(x), 0, x)
    _same(pnd.median_filter(clean, 5), ndi.median_filter(clean, 5))


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.bool_, np.uint16, np.int16])
def test_sliding_histogram_large_windows(dtype):
    # 8-bit types from 40 taps and 16-bit types from 1000 taps rank from a
    # histogram slid along the row
    rng = np.random.default_rng(13)
    wide = np.dtype(dtype).itemsize == 2
    x = _data((70, 80), dtype, rng)
    if wide:
        x = (x.astype(np.int64) * 37 + rng.integers(-5, 5, x.shape)).astype(dtype)
    size = (33, 35) if wide else (7, 9)
    fp = rng.random(size) > 0.3
    for mode in ("reflect", "constant", "wrap", "mirror"):
        for rank in (5, fp.sum() // 2, fp.sum() - 7):
            _same(pnd.rank_filter(x, rank, footprint=fp, mode=mode, cval=3),
                  ndi.rank_filter(x, rank, footprint=fp, mode=mode, cval=3))
        _same(pnd.median_filter(x, size, mode=mode), ndi.median_filter(x, size, mode=mode))
    hwc = _data((30, 40, 3), dtype, rng)
    sz = (33, 33, 1) if wide else (7, 7, 1)
    _same(pnd.median_filter(hwc, sz), ndi.median_filter(hwc, sz))
    _same(pnd.percentile_filter(hwc, 80, sz[:2], axes=(0, 1)),
          ndi.percentile_filter(hwc, 80, sz[:2], axes=(0, 1)))
    one = pnd.median_filter(x, size, workers=1)
    assert one.tobytes() == pnd.median_filter(x, size, workers=2).tobytes()
