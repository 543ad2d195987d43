"""Integer images into integer outputs are computed exactly: with integer
weights the filters run in float32 (every partial sum is an exact integer
below 2**24 and a true division truncates as float64's), otherwise in
float64 in scipy's order; either way the result equals scipy's bit for
bit, extremes of the dtype range included."""
import numpy as np
import pytest
import scipy.ndimage as ndi

from pyfilter import ndimage as pnd
from pyfilter._common import dtypes as D

DTYPES = [np.uint8, np.int8, np.uint16, np.int16]
MODES = ["reflect", "constant", "nearest", "mirror", "wrap"]


def _data(rng, shape, dtype):
    info = np.iinfo(dtype)
    x = rng.integers(info.min, int(info.max) + 1, size=shape).astype(dtype)
    x.flat[::7] = info.max
    x.flat[3::11] = info.min
    return x


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_integer_weight_filters_bitwise(rng, dtype, mode):
    x = _data(rng, (23, 29), dtype)
    for cval in (0, 7, -3):
        for size in (1, 2, 3, 5, 8, (4, 9)):
            np.testing.assert_array_equal(
                pnd.uniform_filter(x, size, mode=mode, cval=cval),
                ndi.uniform_filter(x, size, mode=mode, cval=cval))
        np.testing.assert_array_equal(pnd.uniform_filter1d(x, 6, axis=0, mode=mode,
                                                           cval=cval, origin=1),
                                      ndi.uniform_filter1d(x, 6, axis=0, mode=mode,
                                                           cval=cval, origin=1))
        for axis in (0, 1):
            np.testing.assert_array_equal(pnd.sobel(x, axis, mode=mode, cval=cval),
                                          ndi.sobel(x, axis, mode=mode, cval=cval))
            np.testing.assert_array_equal(pnd.prewitt(x, axis, mode=mode, cval=cval),
                                          ndi.prewitt(x, axis, mode=mode, cval=cval))
        np.testing.assert_array_equal(pnd.laplace(x, mode=mode, cval=cval),
                                      ndi.laplace(x, mode=mode, cval=cval))
        np.testing.assert_array_equal(pnd.correlate1d(x, [1, -4, 3, 2], mode=mode, cval=cval),
                                      ndi.correlate1d(x, [1, -4, 3, 2], mode=mode, cval=cval))


@pytest.mark.parametrize("dtype", DTYPES)
def test_non_integer_cases_bitwise(rng, dtype):
    # non-integer weights or cval: float64 in scipy's order
    x = _data(rng, (21, 19), dtype)
    for mode in ("reflect", "constant"):
        np.testing.assert_array_equal(pnd.gaussian_filter(x, 1.3, mode=mode, cval=2.5),
                                      ndi.gaussian_filter(x, 1.3, mode=mode, cval=2.5))
        np.testing.assert_array_equal(pnd.uniform_filter(x, 3, mode=mode, cval=0.5),
                                      ndi.uniform_filter(x, 3, mode=mode, cval=0.5))
        np.testing.assert_array_equal(pnd.correlate1d(x, [0.5, 1.25, -0.75], mode=mode),
                                      ndi.correlate1d(x, [0.5, 1.25, -0.75], mode=mode))


def test_int_sum_bound_picks_the_precision():
    u8, u16 = np.dtype(np.uint8), np.dtype(np.uint16)
    assert D.work_dtype(u8, u8, 255 * 5) == np.float32
    assert D.work_dtype(u16, u16, 65535 * 300) == np.float64     # beyond 2**24
    assert D.work_dtype(u8, u8, None) == np.float64
    assert D.work_dtype(u8, np.dtype(np.int32), 10) == np.float64


@pytest.mark.parametrize("dtype", [np.uint16, np.int16])
def test_large_box_on_16_bit_falls_back_exactly(rng, dtype):
    # 65535 * 300 > 2**24: float64 keeps it exact
    x = _data(rng, (5, 700), dtype)
    np.testing.assert_array_equal(pnd.uniform_filter1d(x, 300), ndi.uniform_filter1d(x, 300))


def test_hwc_integer_exact(rng):
    x = _data(rng, (31, 37, 3), np.uint8)
    for mode in MODES:
        np.testing.assert_array_equal(pnd.uniform_filter(x, (5, 5, 1), mode=mode),
                                      ndi.uniform_filter(x, (5, 5, 1), mode=mode))
        np.testing.assert_array_equal(pnd.gaussian_filter(x, (2, 2, 0), mode=mode),
                                      ndi.gaussian_filter(x, (2, 2, 0), mode=mode))


def test_float32_with_verification_matches_float64_truncation():
    # a constant image: scipy's float64 weights sum to 1 - 1e-16, so it
    # truncates 255 * sum to 254 for many sigmas; float32 alone would give
    # 255.  The verified float32 path must reproduce scipy everywhere.
    from pyfilter._ops import bank as B, kernel as K, line as L
    unverified_differs = 0
    for sigma in np.linspace(0.3, 5, 60):
        for val in (255, 100, 3):
            x = np.full((5, 40), val, np.uint8)
            ref = ndi.gaussian_filter1d(x, sigma, axis=1)
            np.testing.assert_array_equal(pnd.gaussian_filter1d(x, sigma, axis=1), ref)
            w = K.gaussian_weights(sigma, 0, 4.0, None)
            o = np.empty_like(x)
            B.plan(x, (o,), [[L.make_pass(1, w, 2, 0.0, 40)]], [B.Out("term", [0])],
                   dtype=np.dtype(np.float32), quantize=True).run(x, (o,), 1)
            unverified_differs += not np.array_equal(o, ref)
    assert unverified_differs > 0


@pytest.mark.parametrize("dtype", DTYPES)
def test_random_gaussians_bitwise(rng, dtype):
    info = np.iinfo(dtype)
    for trial in range(12):
        shape = (int(rng.integers(1, 30)), int(rng.integers(1, 30)))
        if trial % 3 == 0:
            x = np.full(shape, rng.integers(info.min, int(info.max) + 1), dtype)
        else:
            x = _data(rng, shape, dtype)
        sigma = float(rng.choice([0.4, 0.8, 1.0, 1.5, 2.2]))
        mode = str(rng.choice(MODES))
        order = int(rng.choice([0, 0, 1, 2]))
        np.testing.assert_array_equal(
            pnd.gaussian_filter(x, sigma, order=order, mode=mode, cval=3),
            ndi.gaussian_filter(x, sigma, order=order, mode=mode, cval=3))


def test_int16_division_by_multiply_is_exact():
    from pyfilter._ops.line import divide_by_multiply
    for d in range(1, 300):
        for smax in (min(255 * d, 32767), 32767):
            try:
                mul, shift = divide_by_multiply(d, smax)
            except ValueError:
                continue            # the int16 path is then not taken
            assert smax * mul < 2 ** 31
            s = np.arange(smax + 1, dtype=np.int64)
            np.testing.assert_array_equal((s * mul) >> shift, s // d)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 16, 63, 128])
def test_int16_box_paths_bitwise(rng, size):
    # 8-bit images under boxes (sums only, the multiply-and-shift division)
    for dtype in (np.uint8, np.bool_):
        x = (rng.random((40, 131, 3)) * 255).astype(dtype) if dtype != np.bool_ else \
            rng.random((40, 131, 3)) > 0.5
        for mode in MODES:
            np.testing.assert_array_equal(pnd.uniform_filter(x, (size, size, 1), mode=mode),
                                          ndi.uniform_filter(x, (size, size, 1), mode=mode))
            np.testing.assert_array_equal(
                pnd.uniform_filter1d(x, size, axis=1, mode=mode, origin=size // 3),
                ndi.uniform_filter1d(x, size, axis=1, mode=mode, origin=size // 3))
