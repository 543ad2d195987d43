"""maximum_filter / minimum_filter (and the 1-D variants) against
scipy.ndimage, OpenCV's dilate/erode and a numpy sliding-window reference."""
import itertools
import warnings

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings, strategies as st
from numpy.lib.stride_tricks import sliding_window_view

from pyfilter import ndimage as pnd

from tests.helpers import CV_BORDER, MODES, NP_PAD, cv2, random_array, requires_cv2

REAL_DTYPES = [np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32,
               np.int64, np.uint64, np.float32, np.float64]
FILTERS = [(pnd.maximum_filter, ndi.maximum_filter), (pnd.minimum_filter, ndi.minimum_filter)]
FILTERS1D = [(pnd.maximum_filter1d, ndi.maximum_filter1d),
             (pnd.minimum_filter1d, ndi.minimum_filter1d)]


def _same(ours, ref):
    assert ours.dtype == ref.dtype
    assert ours.shape == ref.shape
    np.testing.assert_array_equal(ours, ref)


# ---------------------------------------------------------------- against scipy
@pytest.mark.parametrize("dtype", REAL_DTYPES)
@pytest.mark.parametrize("ours,ref", FILTERS)
def test_dtypes_match_scipy(rng, dtype, ours, ref):
    x = random_array(rng, (23, 31), dtype)
    for size in (1, 2, 3, (4, 7)):
        _same(ours(x, size=size), ref(x, size=size))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ours,ref", FILTERS)
@pytest.mark.parametrize("size", [2, 3, 4, 5, 8, 15, (3, 9), (11, 2)])
def test_modes_and_sizes_match_scipy(rng, mode, ours, ref, size):
    x = rng.standard_normal((37, 41)).astype(np.float32)
    _same(ours(x, size=size, mode=mode, cval=0.25),
          ref(x, size=size, mode=mode, cval=0.25))


@pytest.mark.parametrize("size", [5, 9, 31, 63, 100])
@pytest.mark.parametrize("mode", ["reflect", "constant", "wrap", "mirror"])
def test_long_windows_longer_than_array(rng, size, mode):
    # van Herk along rows, doubling along x; windows may exceed the array
    x = rng.integers(-1000, 1000, (70, 45)).astype(np.int32)
    _same(pnd.maximum_filter(x, size, mode=mode, cval=7),
          ndi.maximum_filter(x, size, mode=mode, cval=7))
    _same(pnd.minimum_filter(x, (size, 3), mode=mode),
          ndi.minimum_filter(x, (size, 3), mode=mode))


@pytest.mark.parametrize("ours,ref", FILTERS)
def test_origins_match_scipy(rng, ours, ref):
    x = rng.standard_normal((19, 24))
    for size in (2, 3, 4, 7):
        for o0 in range(-(size // 2), (size - 1) // 2 + 1):
            for o1 in (-(size // 2), 0, (size - 1) // 2):
                _same(ours(x, size=size, origin=(o0, o1), mode="nearest"),
                      ref(x, size=size, origin=(o0, o1), mode="nearest"))


@pytest.mark.parametrize("ours,ref", FILTERS)
def test_per_axis_mode_sequence(rng, ours, ref):
    x = rng.standard_normal((13, 17, 9))
    modes = ["wrap", "constant", "mirror"]
    _same(ours(x, size=(3, 5, 4), mode=modes, cval=-1),
          ref(x, size=(3, 5, 4), mode=modes, cval=-1))
    # an all-True footprint is a box, so it accepts a sequence of modes too
    _same(ours(x, footprint=np.ones((3, 2, 2)), mode=modes),
          ref(x, footprint=np.ones((3, 2, 2)), mode=modes))


@pytest.mark.parametrize("axes,size,origin", [((0,), 3, 0), ((2, 1), (2, 5), (0, -2)),
                                              ((-1, 0), 4, 1), ((1,), 6, -3)])
def test_axes_match_scipy(rng, axes, size, origin):
    x = rng.standard_normal((9, 11, 10))
    for ours, ref in FILTERS:
        _same(ours(x, size=size, axes=axes, origin=origin, mode="mirror"),
              ref(x, size=size, axes=axes, origin=origin, mode="mirror"))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", [(30,), (12, 17), (6, 7, 8)])
def test_footprints_match_scipy(rng, mode, shape):
    for trial in range(6):
        fshape = tuple(int(v) for v in rng.integers(1, 6, len(shape)))
        fp = rng.random(fshape) > 0.4
        fp.flat[trial % fp.size] = True
        if fp.all():
            fp.flat[0] = False if fp.size > 1 else True
        origin = [int(rng.integers(-(k // 2), (k - 1) // 2 + 1)) for k in fshape]
        for dtype in (np.float32, np.int16, np.uint8):
            x = random_array(rng, shape, dtype)
            for ours, ref in FILTERS:
                _same(ours(x, footprint=fp, mode=mode, cval=3, origin=origin),
                      ref(x, footprint=fp, mode=mode, cval=3, origin=origin))


def test_large_disk_footprint(rng):
    yy, xx = np.mgrid[-9:10, -9:10]
    disk = yy ** 2 + xx ** 2 <= 81
    x = rng.standard_normal((120, 150)).astype(np.float32)
    for ours, ref in FILTERS:
        _same(ours(x, footprint=disk), ref(x, footprint=disk))
    ring = (yy ** 2 + xx ** 2 <= 81) & (yy ** 2 + xx ** 2 >= 25)
    _same(pnd.maximum_filter(x, footprint=ring, mode="wrap"),
          ndi.maximum_filter(x, footprint=ring, mode="wrap"))


@pytest.mark.parametrize("axes", [(2, 1), (1, 2), (0, 2), (1, 0)])
def test_footprint_with_axes_follows_scipy(rng, axes):
    # scipy maps the footprint's dimensions to the filtered axes in
    # increasing order, while origins follow the order of ``axes``
    x = rng.standard_normal((4, 6, 7))
    fp = np.array([[1, 0, 0], [1, 1, 0]], bool)
    for origin in (0, (-1, -1), (0, 1), (-1, 0)):
        try:
            ref = ndi.maximum_filter(x, footprint=fp, axes=axes, origin=origin)
        except ValueError:
            with pytest.raises(ValueError):
                pnd.maximum_filter(x, footprint=fp, axes=axes, origin=origin)
            continue
        _same(pnd.maximum_filter(x, footprint=fp, axes=axes, origin=origin), ref)


@pytest.mark.parametrize("ours,ref", FILTERS1D)
@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("size", [1, 2, 3, 4, 6, 17])
def test_filter1d_match_scipy(rng, ours, ref, axis, size):
    x = rng.integers(-50, 50, (14, 19, 5)).astype(np.int16)
    for mode in ("reflect", "constant", "nearest", "mirror", "wrap"):
        for origin in (-(size // 2), 0, (size - 1) // 2):
            _same(ours(x, size, axis=axis, mode=mode, cval=5, origin=origin),
                  ref(x, size, axis=axis, mode=mode, cval=5, origin=origin))


def test_filter1d_size4_window():
    # docs/semantics.md: maximum_filter1d(size=4) covers x[i-2 .. i+1]
    x = np.zeros(9)
    x[4] = 1
    np.testing.assert_array_equal(pnd.maximum_filter1d(x, 4), [0, 0, 0, 1, 1, 1, 1, 0, 0])


# ---------------------------------------------------------------- outputs and casting
def test_output_dtype_and_scipy_pass_order(rng):
    # scipy reduces the first filtered axis, casts into the output dtype,
    # then reduces the others: wrapping casts make the order visible
    x = rng.standard_normal((30, 31)) * 300
    for size in (2, 3, (3, 4), (1, 5)):
        for dt in (np.uint8, np.int8, np.int16, np.float32):
            _same(pnd.maximum_filter(x, size, output=dt), ndi.maximum_filter(x, size, output=dt))
            _same(pnd.minimum_filter(x, size, output=dt, mode="constant", cval=-500.5),
                  ndi.minimum_filter(x, size, output=dt, mode="constant", cval=-500.5))
    fp = np.array([[1, 1], [1, 0]], bool)
    _same(pnd.maximum_filter(x, footprint=fp, output=np.uint8),
          ndi.maximum_filter(x, footprint=fp, output=np.uint8))


@pytest.mark.parametrize("cval", [2.5, 300, -1, -0.5, 255, 1e40, np.inf])
def test_cval_outside_the_dtype(rng, cval):
    x = rng.integers(0, 255, (20, 21)).astype(np.uint8)
    for ours, ref in FILTERS:
        _same(ours(x, 3, mode="constant", cval=cval), ref(x, 3, mode="constant", cval=cval))
        _same(ours(x, 3, mode="constant", cval=cval, output=np.float64),
              ref(x, 3, mode="constant", cval=cval, output=np.float64))
    xf = rng.standard_normal((20, 21)).astype(np.float32)
    _same(pnd.maximum_filter(xf, 3, mode="constant", cval=0.1, output=np.float64),
          ndi.maximum_filter(xf, 3, mode="constant", cval=0.1, output=np.float64))


def test_output_array_in_place_and_strided(rng):
    x = rng.standard_normal((40, 50))
    ref = ndi.maximum_filter(x, 5, mode="wrap")
    y = x.copy()
    res = pnd.maximum_filter(y, 5, mode="wrap", output=y)  # shares memory
    assert res is y
    _same(y, ref)
    out = np.zeros((50, 40)).T
    pnd.maximum_filter(x, 5, mode="wrap", output=out)
    _same(out, ref)
    big = np.zeros((40, 100))
    pnd.minimum_filter(x, 4, output=big[:, ::2])
    _same(big[:, ::2], ndi.minimum_filter(x, 4))


def test_noncontiguous_and_byteswapped_inputs(rng):
    x = rng.standard_normal((60, 80)).astype(np.float32)
    for v in (x[::2, ::3], x.T, x[:, ::-1], x.astype(">f4")):
        for ours, ref in FILTERS:
            _same(ours(v, (7, 5), mode="wrap"), ref(v, (7, 5), mode="wrap"))
            _same(ours(v, footprint=[[1, 0, 1], [0, 1, 1]]),
                  ref(v, footprint=[[1, 0, 1], [0, 1, 1]]))


def test_3d_boxes_large_and_small(rng):
    x = rng.standard_normal((20, 21, 22))
    for size in ((3, 3, 3), (7, 9, 5), (1, 9, 1), (9, 1, 1), (2, 2, 8)):
        for ours, ref in FILTERS:
            _same(ours(x, size, mode="mirror"), ref(x, size, mode="mirror"))


def test_int64_exact_beyond_2_53():
    # scipy goes through float64 and rounds; pyfilter reduces int64 exactly
    x = np.array([2 ** 53 + 1, 0, -(2 ** 62) - 3], dtype=np.int64)
    np.testing.assert_array_equal(pnd.maximum_filter(x, 2), [2 ** 53 + 1, 2 ** 53 + 1, 0])
    np.testing.assert_array_equal(pnd.minimum_filter1d(x, 3), [0, -(2 ** 62) - 3, -(2 ** 62) - 3])


def test_empty_and_0d():
    for ours, ref in FILTERS:
        _same(ours(np.zeros((0, 3)), 2), ref(np.zeros((0, 3)), 2))
        _same(ours(np.float64(3.0), size=2), ref(np.float64(3.0), size=2))


def test_inputs_never_modified(rng):
    x = rng.standard_normal((30, 30))
    x.flags.writeable = False
    keep = x.copy()
    pnd.maximum_filter(x, 7)
    pnd.minimum_filter(x, footprint=np.eye(3))
    pnd.maximum_filter1d(x, 4, axis=0)
    np.testing.assert_array_equal(x, keep)


# ---------------------------------------------------------------- NaN: an independent reference
def _window_ref(x, size, mode, cval, reduce):
    """numpy.pad + sliding_window_view reference (NaN propagates)."""
    size = (size,) * x.ndim if np.isscalar(size) else size
    pads = [(s // 2, s - 1 - s // 2) for s in size]
    kw = {"constant_values": cval} if mode == "constant" else {}
    xp = np.pad(x, pads, mode=NP_PAD[mode], **kw)
    win = sliding_window_view(xp, size)
    return reduce(win, axis=tuple(range(x.ndim, 2 * x.ndim)))


@pytest.mark.parametrize("size", [2, 3, 5, 9, (4, 13)])
@pytest.mark.parametrize("mode", ["reflect", "constant", "nearest", "mirror", "wrap"])
def test_nan_propagates(rng, size, mode):
    x = rng.standard_normal((25, 30))
    x[rng.random(x.shape) < 0.02] = np.nan
    x[3, :] = np.nan
    x[:, 0] = -np.inf
    np.testing.assert_array_equal(pnd.maximum_filter(x, size, mode=mode),
                                  _window_ref(x, size, mode, 0.0, np.max))
    np.testing.assert_array_equal(pnd.minimum_filter(x.astype(np.float32), size, mode=mode),
                                  _window_ref(x.astype(np.float32), size, mode, 0.0, np.min))


def test_nan_footprint_propagates(rng):
    x = rng.standard_normal((20, 20))
    x[5, 5] = np.nan
    fp = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool)
    r = pnd.maximum_filter(x, footprint=fp, mode="nearest")
    xp = np.pad(x, 1, mode="edge")
    win = sliding_window_view(xp, (3, 3))[..., fp]
    np.testing.assert_array_equal(r, win.max(axis=-1))


# ---------------------------------------------------------------- OpenCV
@requires_cv2
@pytest.mark.parametrize("ksize", [(3, 3), (1, 5), (4, 2), (15, 15), (9, 31)])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_dilate_erode_match_cv2(rng, ksize, dtype):
    x = random_array(rng, (57, 64), dtype)
    kernel = np.ones(ksize, np.uint8)
    # default border: outside pixels ignored == mode 'nearest'
    _same(pnd.maximum_filter(x, ksize, mode="nearest"), cv2.dilate(x, kernel))
    _same(pnd.minimum_filter(x, ksize, mode="nearest"), cv2.erode(x, kernel))
    for mode in ("reflect", "mirror", "nearest"):
        _same(pnd.maximum_filter(x, ksize, mode=mode),
              cv2.dilate(x, kernel, borderType=CV_BORDER[mode]))
        _same(pnd.minimum_filter(x, ksize, mode=mode),
              cv2.erode(x, kernel, borderType=CV_BORDER[mode]))


@requires_cv2
@pytest.mark.parametrize("shape", [cv2.MORPH_CROSS, cv2.MORPH_ELLIPSE] if cv2 is not None else [])
def test_structuring_elements_match_cv2(rng, shape):
    x = random_array(rng, (50, 61), np.uint8)
    for k in ((5, 5), (7, 11)):
        se = cv2.getStructuringElement(shape, (k[1], k[0]))
        _same(pnd.maximum_filter(x, footprint=se.astype(bool), mode="nearest"), cv2.dilate(x, se))
        _same(pnd.minimum_filter(x, footprint=se.astype(bool), mode="mirror"),
              cv2.erode(x, se, borderType=cv2.BORDER_REFLECT_101))


# ---------------------------------------------------------------- threads
@pytest.mark.parametrize("case", ["box3", "box31", "footprint", "axis0", "tiles"])
def test_workers_agnostic(rng, case):
    x = rng.standard_normal((300, 310)).astype(np.float32)
    x[rng.random(x.shape) < 0.001] = np.nan
    fp = rng.random((5, 6)) > 0.5
    fp[0, 0] = True
    call = {
        "box3": lambda w: pnd.maximum_filter(x, 3, workers=w),
        "box31": lambda w: pnd.minimum_filter(x, (31, 17), mode="wrap", workers=w),
        "footprint": lambda w: pnd.maximum_filter(x, footprint=fp, workers=w),
        "axis0": lambda w: pnd.maximum_filter1d(x, 9, axis=0, workers=w),
        "tiles": lambda w: pnd.maximum_filter1d(np.tile(x.ravel(), 2).reshape(2, -1), 21,
                                                workers=w),
    }[case]
    ref = call(1)
    for w in (2, 3):
        np.testing.assert_array_equal(call(w), ref)


def test_large_outputs_streamed_match_scipy(rng):
    # outputs of >= 16 MiB written by several threads go out with streaming
    # stores through a row buffer
    x = rng.standard_normal((2100, 2100)).astype(np.float32)
    ours = pnd.maximum_filter(x, 3, workers=2)
    assert ours.nbytes >= 16 << 20
    _same(ours, ndi.maximum_filter(x, 3))
    _same(pnd.maximum_filter(x, 3, workers=1), ours)
    u = rng.integers(0, 255, (4200, 4200)).astype(np.uint8)
    # (the first rows of a strip: the same top boundary)
    ours = pnd.minimum_filter(u, (5, 7), mode="mirror", workers=2)
    _same(ours[:200], ndi.minimum_filter(u[:202], (5, 7), mode="mirror")[:200])
    _same(pnd.minimum_filter(u, (5, 7), mode="mirror", workers=1), ours)
    h = rng.standard_normal((1100, 1920, 3)).astype(np.float32)
    ours = pnd.maximum_filter(h, (5, 5, 1), workers=2)
    _same(ours[:300], ndi.maximum_filter(h[:302], (5, 5, 1))[:300])
    _same(pnd.maximum_filter(h, (5, 5, 1), workers=1), ours)


# ---------------------------------------------------------------- property test
@settings(max_examples=60, deadline=None)
@given(shape=st.lists(st.integers(1, 12), min_size=1, max_size=3),
       data=st.data())
def test_property_matches_scipy(shape, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 31)))
    x = rng.integers(-20, 20, shape).astype(np.int32)
    nd = len(shape)
    size = tuple(data.draw(st.integers(1, 14)) for _ in range(nd))
    origin = tuple(data.draw(st.integers(-(s // 2), (s - 1) // 2)) for s in size)
    mode = data.draw(st.sampled_from(MODES))
    for ours, ref in FILTERS:
        _same(ours(x, size, mode=mode, cval=-3, origin=origin),
              ref(x, size, mode=mode, cval=-3, origin=origin))


# ---------------------------------------------------------------- bad input
def test_footprint_wins_with_warning(rng):
    x = rng.standard_normal((10, 10))
    with pytest.warns(UserWarning, match="footprint"):
        r = pnd.maximum_filter(x, size=5, footprint=np.ones((1, 2), bool))
    _same(r, ndi.maximum_filter(x, footprint=np.ones((1, 2), bool)))


def test_all_false_footprint_is_an_error():
    with pytest.raises(ValueError, match="footprint"):
        pnd.maximum_filter(np.ones((4, 4)), footprint=np.zeros((3, 3), bool))


def test_footprint_ndim_mismatch_is_an_error():
    with pytest.raises(ValueError, match="footprint"):
        pnd.minimum_filter(np.ones((4, 4)), footprint=np.ones((2, 2, 2), bool))
    with pytest.raises(ValueError, match="footprint"):
        pnd.minimum_filter(np.ones((4, 4, 4)), footprint=[1, 0, 1], axes=(0, 1))


def test_mode_sequence_with_footprint_is_an_error():
    with pytest.raises(ValueError, match="mode"):
        pnd.maximum_filter(np.ones((4, 4)), footprint=[[1, 0, 1]], mode=["wrap", "nearest"])


@pytest.mark.parametrize("kwargs,exc", [
    (dict(size=0), ValueError), (dict(size=-2), ValueError), (dict(size=2.5), TypeError),
    (dict(size=(2, 2, 2)), ValueError), (dict(size=3, origin=2), ValueError),
    (dict(), TypeError), (dict(size=3, mode="bogus"), ValueError),
    (dict(size=3, axes=(0, 0)), ValueError), (dict(size=3, cval="x"), TypeError)])
def test_bad_arguments(kwargs, exc):
    with pytest.raises(exc):
        pnd.maximum_filter(np.ones((5, 5)), **kwargs)


def test_bad_arguments_1d():
    with pytest.raises(ValueError, match="size"):
        pnd.maximum_filter1d(np.ones(5), 0)
    with pytest.raises(ValueError, match="origin"):
        pnd.minimum_filter1d(np.ones(5), 4, origin=2)
    with pytest.raises(ValueError, match="axis"):
        pnd.minimum_filter1d(np.ones(5), 3, axis=1)


def test_complex_input_is_rejected():
    with pytest.raises(TypeError, match="complex"):
        pnd.maximum_filter(np.ones((4, 4), complex), 3)
    with pytest.raises(TypeError, match="complex"):
        pnd.minimum_filter1d(np.ones(4, complex), 3)


def test_no_warning_without_size(rng):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pnd.maximum_filter(rng.standard_normal((5, 5)), footprint=np.eye(3))


def test_integer_casting_extremes_follow_scipys_two_paths():
    # scipy's size= (1-D passes) and footprint (N-D) paths cast out-of-range
    # values differently; both are reproduced (NaN-free data: see the NaN
    # note in maximum_filter's docstring).
    x = np.array([1e10, -1e10, 3e9, -1e19, 2.5, -2.5, 1e19, -3e19, 2e19] * 3)
    for dt in [np.int32, np.uint64, np.uint8, np.int64, np.uint32]:
        for kw in [dict(size=3), dict(footprint=[1, 0, 1]), dict(footprint=[1, 1, 1])]:
            for f in ["maximum_filter", "minimum_filter"]:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ours = getattr(pnd, f)(x, output=dt, **kw)
                    ref = getattr(ndi, f)(x, output=dt, **kw)
                np.testing.assert_array_equal(ours, ref, err_msg=f"{f} {dt} {kw}")


# ---------------------------------------------------------------- channels last (HWC)
# A short unfiltered contiguous last axis is interleaved with x in the
# engine; every mode, dtype, channel count and window against scipy.
HWC_WINDOWS = [dict(size=(5, 5, 1)), dict(size=(3, 4, 1), origin=(1, -1, 0)),
               dict(size=(1, 6, 1), origin=(0, 2, 0)), dict(size=(7, 1, 1), origin=-3),
               dict(size=(2, 9, 1), origin=(0, -4, 0)),
               dict(footprint=np.ones((5, 5), bool), axes=(0, 1)),
               dict(footprint=[[1, 0, 1], [0, 1, 1]], axes=(0, 1), origin=(0, -1)),
               dict(footprint=[[1, 1, 0, 1, 1, 1, 1]], axes=(0, 1), origin=(0, 3)),
               dict(footprint=[[1], [0], [1]], axes=(0, 1))]


@pytest.mark.parametrize("channels", range(1, 9))
@pytest.mark.parametrize("dtype", REAL_DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_channels_last_match_scipy(rng, channels, dtype, mode):
    x = random_array(rng, (9, 13, channels), dtype)
    for kw in HWC_WINDOWS:
        for ours, ref in FILTERS:
            _same(ours(x, mode=mode, cval=3, **kw), ref(x, mode=mode, cval=3, **kw))


@pytest.mark.parametrize("channels", [1, 3, 4, 8])
def test_channels_last_layouts_match_scipy(rng, channels):
    # views where the channel axis cannot (or can) be merged with x:
    # reversed x, reversed channels, a channel slice, a crop, a batch axis
    x = random_array(rng, (2, 21, 34, 2 * channels), np.float32)
    views = [x[0, :, :, :channels], x[0, :, ::-1, :channels], x[0, :, :, channels - 1::-1],
             x[1, 3:17, 5:30, ::2], x[0, ::-1], x[:, :, :, :channels]]
    for v in views:
        size = (5,) * (v.ndim - 1) + (1,)
        for ours, ref in FILTERS:
            _same(ours(v, size, mode="mirror"), ref(v, size, mode="mirror"))
            _same(ours(v, footprint=np.eye(3, dtype=bool), axes=(v.ndim - 3, v.ndim - 2)),
                  ref(v, footprint=np.eye(3, dtype=bool), axes=(v.ndim - 3, v.ndim - 2)))


def test_channels_last_outputs_match_scipy(rng):
    x = random_array(rng, (17, 23, 3), np.uint8)
    # another output dtype (scipy's pass order), strided and F-ordered outputs, in place
    for dt in (np.float64, np.int8, np.uint16):
        _same(pnd.maximum_filter(x, (3, 5, 1), output=dt), ndi.maximum_filter(x, (3, 5, 1),
                                                                               output=dt))
    ref = ndi.minimum_filter(x, (4, 4, 1), mode="wrap")
    big = np.zeros((17, 46, 3), np.uint8)
    pnd.minimum_filter(x, (4, 4, 1), mode="wrap", output=big[:, ::2])
    _same(big[:, ::2], ref)
    f = np.asfortranarray(np.zeros_like(x))
    pnd.minimum_filter(x, (4, 4, 1), mode="wrap", output=f)
    _same(f, ref)
    y = x.copy()
    pnd.minimum_filter(y, (4, 4, 1), mode="wrap", output=y)
    _same(y, ref)


@pytest.mark.parametrize("mode", ["reflect", "constant", "wrap"])
def test_channels_last_nan_propagates(rng, mode):
    x = rng.standard_normal((30, 40, 3))
    x[rng.random(x.shape) < 0.01] = np.nan
    x[7, :, 1] = np.nan
    for size in ((5, 5, 1), (3, 9, 1), (2, 1, 1)):
        np.testing.assert_array_equal(pnd.maximum_filter(x, size, mode=mode, cval=0.5),
                                      _window_ref(x, size, mode, 0.5, np.max))
        np.testing.assert_array_equal(
            pnd.minimum_filter(x.astype(np.float32), size, mode=mode, cval=0.5),
            _window_ref(x.astype(np.float32), size, mode, 0.5, np.min))


@requires_cv2
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("channels", [1, 3, 4])
def test_channels_last_match_cv2(rng, dtype, channels):
    x = random_array(rng, (67, 81, channels), dtype)
    kernel = np.ones((5, 5), np.uint8)
    for mode in ("reflect", "mirror", "nearest"):
        b = CV_BORDER[mode]
        dil = cv2.dilate(x, kernel, borderType=b).reshape(x.shape)
        ero = cv2.erode(x, kernel, borderType=b).reshape(x.shape)
        _same(pnd.maximum_filter(x, (5, 5, 1), mode=mode), dil)
        _same(pnd.maximum_filter(x, footprint=np.ones((5, 5), bool), axes=(0, 1), mode=mode),
              dil)
        _same(pnd.minimum_filter(x, (5, 5, 1), mode=mode), ero)
        se = cv2.getStructuringElement(cv2.MORPH_CROSS, (5, 5))
        _same(pnd.minimum_filter(x, footprint=se.astype(bool), axes=(0, 1), mode=mode),
              cv2.erode(x, se, borderType=b).reshape(x.shape))


@pytest.mark.parametrize("kw", [dict(size=(5, 5, 1)), dict(size=(31, 17, 1)),
                                dict(footprint=np.eye(4, dtype=bool), axes=(0, 1))])
def test_channels_last_workers_agnostic(rng, kw):
    x = rng.standard_normal((300, 1500, 3)).astype(np.float32)
    x[rng.random(x.shape) < 0.001] = np.nan
    ref = pnd.maximum_filter(x, workers=1, **kw)
    np.testing.assert_array_equal(pnd.maximum_filter(x, workers=2, **kw), ref)
    u = (np.nan_to_num(x) * 40).astype(np.uint8)
    np.testing.assert_array_equal(pnd.minimum_filter(u, workers=2, **kw),
                                  pnd.minimum_filter(u, workers=1, **kw))


# ---------------------------------------------------------------- the plan cache
def _cache():
    from pyfilter.ndimage import _minmax
    return _minmax._CACHE


def test_cached_calls_give_the_fresh_answers(rng):
    x = rng.standard_normal((31, 40)).astype(np.float32)
    calls = [(pnd.maximum_filter, ndi.maximum_filter, (x, 5), {}),
             (pnd.minimum_filter, ndi.minimum_filter, (x,), dict(footprint=np.eye(3))),
             (pnd.maximum_filter1d, ndi.maximum_filter1d, (x, 4), dict(axis=0)),
             (pnd.minimum_filter1d, ndi.minimum_filter1d, (x, 6), dict(mode="wrap"))]
    for ours, ref, args, kw in calls:
        _cache().clear()
        first = ours(*args, **kw)
        assert len(_cache()) == 1
        second = ours(*args, **kw)
        assert len(_cache()) == 1
        _same(first, ref(*args, **kw))
        _same(second, first)
        # new data, same signature: computed from the new data
        y = rng.standard_normal(x.shape).astype(np.float32)
        _same(ours(y, *args[1:], **kw), ref(y, *args[1:], **kw))
        assert len(_cache()) == 1


def test_cache_tells_apart_arguments_of_equal_value(rng):
    x = rng.integers(0, 255, (12, 13)).astype(np.uint8)
    _cache().clear()
    for cv in (1, True, 1.0, np.float32(1), 1.5, 1):
        _same(pnd.maximum_filter(x, 3, mode="constant", cval=cv),
              ndi.maximum_filter(x, 3, mode="constant", cval=cv))
    # int, bool, float, float32 and 1.5 are five signatures; the last 1 a hit
    assert len(_cache()) == 5
    _same(pnd.minimum_filter(x, 3, mode="constant", cval=1.5),
          ndi.minimum_filter(x, 3, mode="constant", cval=1.5))
    _same(pnd.minimum_filter(x, 3, mode="constant", cval=300),
          ndi.minimum_filter(x, 3, mode="constant", cval=300))


def test_cache_never_serves_another_footprint(rng):
    x = rng.standard_normal((20, 21))
    fps = [np.array([[1, 0, 1], [0, 1, 0]], bool), np.array([[0, 1, 0], [1, 0, 1]], bool),
           np.array([[1, 0, 1], [0, 1, 0]], np.uint8), [[1, 0, 1], [0, 1, 0]],
           [[0, 1, 1], [1, 1, 1]]]
    for _ in range(2):
        for fp in fps:
            for ours, ref in FILTERS:
                _same(ours(x, footprint=fp, mode="constant", cval=9),
                      ref(x, footprint=fp, mode="constant", cval=9))
    for size in ((3, 1), (1, 3), 3, (3, 2)):
        _same(pnd.maximum_filter(x, size), ndi.maximum_filter(x, size))


def test_cache_never_serves_another_output_layout(rng):
    x = rng.standard_normal((24, 30))
    ref = ndi.maximum_filter(x, (3, 5), mode="nearest")
    outs = [np.empty((24, 30)), np.empty((30, 24)).T, np.empty((24, 60))[:, ::2],
            np.empty((24, 30))[:, ::-1], np.empty((24, 30), np.float32),
            np.empty((24, 30), ">f8")]
    for _ in range(2):
        for out in outs:
            res = pnd.maximum_filter(x, (3, 5), mode="nearest", output=out)
            assert res is out
            _same(res, ref.astype(out.dtype))
    ro = np.empty((24, 30))
    pnd.maximum_filter(x, (3, 5), mode="nearest", output=ro)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        pnd.maximum_filter(x, (3, 5), mode="nearest", output=ro)
    for dt in (np.float32, np.int16, "f8", np.float32):
        _same(pnd.maximum_filter(x * 50, 3, output=dt), ndi.maximum_filter(x * 50, 3, output=dt))


def test_cache_never_serves_another_input_layout(rng):
    x = rng.standard_normal((30, 40)).astype(np.float32)
    for _ in range(2):
        for v in (x, x.T, x[::-1], x[:, 1::2], np.asfortranarray(x), x.astype(np.float64),
                  x.astype(">f4"), x[None]):
            _same(pnd.minimum_filter(v, 3), ndi.minimum_filter(v, 3))


def test_bad_input_raises_the_same_error_twice(rng):
    x = np.ones((6, 7))
    _cache().clear()
    bad = [dict(size=3, mode="bogus"), dict(size=3, origin=2), dict(size=0),
           dict(footprint=np.zeros((2, 2), bool)), dict(size=(2, 2, 2))]
    for kw in bad:
        msgs = []
        for _ in range(2):
            with pytest.raises(ValueError) as e:
                pnd.maximum_filter(x, **kw)
            msgs.append(str(e.value))
        assert msgs[0] == msgs[1]
    for _ in range(2):
        with pytest.raises(TypeError, match="complex"):
            pnd.maximum_filter(x.astype(complex), 3)
        with pytest.raises(ValueError, match="read-only"):
            ro = np.empty_like(x)
            ro.flags.writeable = False
            pnd.maximum_filter(x, 3, output=ro)
    # nothing invalid was cached
    assert len(_cache()) == 0
    # workers is checked on every call, cached signature or not
    for _ in range(2):
        with pytest.raises(TypeError, match="workers"):
            pnd.maximum_filter(x, 3, workers=1.5)
    assert len(_cache()) == 1
    _same(pnd.maximum_filter(x, 3), ndi.maximum_filter(x, 3))


def test_cache_warns_every_call(rng):
    x = rng.standard_normal((10, 10))
    for _ in range(2):
        with pytest.warns(UserWarning, match="footprint"):
            pnd.maximum_filter(x, size=5, footprint=np.ones((1, 2), bool))


def test_cache_is_safe_across_threads(rng):
    import threading
    xs = [rng.standard_normal((64, 70 + i % 3)).astype(np.float32) for i in range(8)]
    refs = [ndi.maximum_filter(x, 5) for x in xs]
    errors = []

    def work(i):
        try:
            for _ in range(20):
                np.testing.assert_array_equal(pnd.maximum_filter(xs[i], 5), refs[i])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def _outcome(f, *args, **kwargs):
    try:
        return f(*args, **kwargs)
    except (ValueError, RuntimeError) as e:
        return type(e)


@pytest.mark.parametrize("axes", list(itertools.permutations(range(3), 3))
                         + list(itertools.permutations(range(3), 2)))
def test_footprint_and_origin_placement_with_unsorted_axes(axes):
    """scipy places a footprint's dimensions on the filtered axes in
    increasing order, and its origins in the order of ``axes`` unless every
    axis is filtered (then by position)."""
    rng = np.random.default_rng(sum(a * 3 ** i for i, a in enumerate(axes)))
    x = rng.standard_normal((6, 7, 8))
    fp = rng.random((2, 3, 4)[:len(axes)]) > 0.4
    fp.flat[0] = True
    fp.flat[-1] = False
    for org in [(0, 0, 0), (1, 0, -1), (0, -1, 1), (0, 1, -2), (-1, 1, 1)]:
        org = org[:len(axes)]
        for mode in ("reflect", "constant"):
            for name in ("minimum_filter", "maximum_filter"):
                ref = _outcome(getattr(ndi, name), x, footprint=fp, axes=axes, origin=org,
                               mode=mode)
                ours = _outcome(getattr(pnd, name), x, footprint=fp, axes=axes, origin=org,
                                mode=mode)
                if isinstance(ref, type):
                    assert isinstance(ours, type) and issubclass(ours, ValueError), (org, mode)
                else:
                    np.testing.assert_array_equal(ours, ref, err_msg=f"{name} {org} {mode}")


@pytest.mark.parametrize("axes", [(2, 0), (1, 0), (0, 2, 1), (2, 1, 0), (0, 1)])
@pytest.mark.parametrize("out", [np.uint8, np.int8, np.int16, np.float32])
def test_boxes_cast_along_the_first_of_axes_first(axes, out):
    """Into another dtype scipy reduces and casts along axes[0] first."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((5, 6, 7)) * 100
    for sizes in ([3, 2, 4], [1, 3, 2], [2, 1, 3]):
        s = sizes[:len(axes)]
        for name in ("minimum_filter", "maximum_filter"):
            ref = getattr(ndi, name)(x, size=s, axes=axes, output=out)
            ours = getattr(pnd, name)(x, size=s, axes=axes, output=out)
            np.testing.assert_array_equal(ours, ref, err_msg=f"{name} {s}")


CVALS = [1e300, -1e300, 10 ** 20, -10 ** 20, np.inf, -np.inf, 2.5, -2.5, 300, -1, 3e9, -3e9,
         1e19, -1e19, 70000]


@pytest.mark.parametrize("dt", [np.uint8, np.int8, np.int16, np.uint16, np.int32, np.uint32,
                                np.int64, np.bool_, np.float32])
def test_cval_the_dtype_cannot_hold(dt):
    """An unused cval of any size is ignored; a used one is converted as
    scipy converts it (to the input's type for footprints: 300 -> 44 in
    uint8; in float64 along boxes)."""
    x = ((np.arange(30) * 9) % 256).reshape(5, 6).astype(dt)
    fp = np.eye(3, dtype=bool)
    for cval in CVALS:
        for mode in ("reflect", "constant"):
            for kw in (dict(size=3), dict(footprint=fp), dict(size=(1, 3))):
                for name in ("maximum_filter", "minimum_filter"):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        ref = getattr(ndi, name)(x, mode=mode, cval=cval, **kw)
                    ours = getattr(pnd, name)(x, mode=mode, cval=cval, **kw)
                    if dt == np.bool_:
                        ref = ref.view(np.uint8) != 0
                    np.testing.assert_array_equal(ours, ref, err_msg=f"{name} {kw} {mode} {cval}")


def test_uint64_footprint_cval_converted_exactly():
    """uint64 is reduced exactly (scipy rounds results through float64, so
    the reference is numpy): cval converted as scipy's C code does, then
    compared in uint64."""
    x = np.array([[10, 20, 30], [40, 50, 2 ** 63 + 5]], np.uint64)
    fp = np.eye(3, dtype=bool)
    conv = {-1: 2 ** 64 - 1, -2.5: 2 ** 64 - 2, -3e9: 2 ** 64 - 3 * 10 ** 9, -1e19: 2 ** 63,
            -np.inf: 2 ** 63, 1e19: 10 ** 19, 2e19: 0, np.nan: 2 ** 63}
    for cval, c in conv.items():
        pad = np.full((4, 5), c, np.uint64)
        pad[1:3, 1:4] = x
        win = np.stack([pad[i:i + 2, i:i + 3] for i in range(3)])
        for name, red in (("maximum_filter", np.max), ("minimum_filter", np.min)):
            ours = getattr(pnd, name)(x, footprint=fp, mode="constant", cval=cval)
            np.testing.assert_array_equal(ours, red(win, axis=0), err_msg=f"{name} {cval}")
