"""pyfilter.ndimage correlate/convolve/correlate1d/convolve1d against scipy.ndimage."""
import warnings

import numpy as np
import pytest
import scipy.ndimage as ndi

from pyfilter import ndimage as pnd

from tests.helpers import ALL_DTYPES, MODES, assert_close_to_peer, random_array

SHAPES = {1: (23,), 2: (11, 14), 3: (6, 7, 9)}
KSHAPES = {  # (odd, even) kernels per ndim
    1: [(5,), (4,)],
    2: [(3, 5), (4, 2)],
    3: [(3, 3, 3), (2, 3, 4)],
}


def _weights(rng, kshape, complex_w=False):
    w = rng.standard_normal(kshape)
    if complex_w:
        w = w + 1j * rng.standard_normal(kshape)
    return w


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("parity", [0, 1])
@pytest.mark.parametrize("func", ["correlate", "convolve"])
def test_nd_every_dtype_mode(rng, dtype, mode, ndim, parity, func):
    x = random_array(rng, SHAPES[ndim], dtype)
    w = _weights(rng, KSHAPES[ndim][parity])
    ours = getattr(pnd, func)(x, w, mode=mode, cval=1.25)
    ref = getattr(ndi, func)(x, w, mode=mode, cval=1.25)
    assert_close_to_peer(ours, ref, dtype_in=dtype)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("func", ["correlate1d", "convolve1d"])
@pytest.mark.parametrize("length", [1, 2, 3, 6])
def test_1d_every_dtype_mode(rng, dtype, mode, func, length):
    x = random_array(rng, (9, 13), dtype)
    w = rng.standard_normal(length)
    for axis in (0, 1, -1):
        ours = getattr(pnd, func)(x, w, axis=axis, mode=mode, cval=-0.5)
        ref = getattr(ndi, func)(x, w, axis=axis, mode=mode, cval=-0.5)
        assert_close_to_peer(ours, ref, dtype_in=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.int16, np.uint8])
@pytest.mark.parametrize("func", ["correlate", "convolve"])
def test_complex_weights(rng, dtype, func):
    x = random_array(rng, (8, 10), dtype)
    w = _weights(rng, (3, 4), complex_w=True)
    ours = getattr(pnd, func)(x, w, mode="wrap")
    ref = getattr(ndi, func)(x, w, mode="wrap")
    assert_close_to_peer(ours, ref, dtype_in=dtype)


@pytest.mark.parametrize("func", ["correlate1d", "convolve1d"])
def test_complex_weights_1d(rng, func):
    x = random_array(rng, (8, 10), np.complex128)
    w = rng.standard_normal(4) + 1j * rng.standard_normal(4)
    assert_close_to_peer(getattr(pnd, func)(x, w, axis=0), getattr(ndi, func)(x, w, axis=0))


@pytest.mark.parametrize("func", ["correlate", "convolve"])
def test_origins_every_valid_value(rng, func):
    x = rng.standard_normal((9, 10))
    for kshape in [(3, 4), (5, 2), (1, 6)]:
        w = rng.standard_normal(kshape)
        for o0 in range(-(kshape[0] // 2), (kshape[0] - 1) // 2 + 1):
            for o1 in range(-(kshape[1] // 2), (kshape[1] - 1) // 2 + 1):
                for mode in ("reflect", "constant", "wrap"):
                    ours = getattr(pnd, func)(x, w, mode=mode, origin=(o0, o1))
                    ref = getattr(ndi, func)(x, w, mode=mode, origin=(o0, o1))
                    assert_close_to_peer(ours, ref)
        # scalar origin applies to every axis
        o = -(min(kshape) // 2)
        assert_close_to_peer(getattr(pnd, func)(x, w, origin=o), getattr(ndi, func)(x, w, origin=o))


@pytest.mark.parametrize("func", ["correlate1d", "convolve1d"])
def test_origin_1d(rng, func):
    x = rng.standard_normal(17)
    for L in (1, 2, 5, 8):
        w = rng.standard_normal(L)
        for o in range(-(L // 2), (L - 1) // 2 + 1):
            assert_close_to_peer(getattr(pnd, func)(x, w, origin=o),
                                 getattr(ndi, func)(x, w, origin=o))


def test_convolve_even_kernel_example():
    # docs/semantics.md: x=[1,2], w=[1,1]: correlate -> [2,3], convolve -> [3,4]
    x, w = np.array([1.0, 2.0]), np.array([1.0, 1.0])
    np.testing.assert_array_equal(pnd.correlate(x, w), ndi.correlate(x, w))
    np.testing.assert_array_equal(pnd.convolve(x, w), ndi.convolve(x, w))
    np.testing.assert_array_equal(pnd.convolve(x, w), pnd.correlate(x, w[::-1], origin=-1))


@pytest.mark.parametrize("axes", [(0,), (1,), (-1,), (0, 2), (2, 0), (1, 2), (2, 1, 0)])
@pytest.mark.parametrize("func", ["correlate", "convolve"])
def test_axes(rng, axes, func):
    x = rng.standard_normal((6, 7, 8))
    kshape = [3, 2, 4][: len(axes)]
    w = rng.standard_normal(kshape)
    origin = [0, -1, 1][: len(axes)]
    ours = getattr(pnd, func)(x, w, axes=axes, origin=origin, mode="mirror")
    ref = getattr(ndi, func)(x, w, axes=axes, origin=origin, mode="mirror")
    assert_close_to_peer(ours, ref)


def test_four_d(rng):
    x = rng.standard_normal((4, 5, 6, 7))
    w = rng.standard_normal((2, 3, 3, 2))
    for mode in ("reflect", "constant", "wrap"):
        assert_close_to_peer(pnd.correlate(x, w, mode=mode), ndi.correlate(x, w, mode=mode))
        assert_close_to_peer(pnd.convolve(x, w, mode=mode, origin=(0, 1, -1, 0)),
                             ndi.convolve(x, w, mode=mode, origin=(0, 1, -1, 0)))
    x5 = rng.standard_normal((2, 3, 2, 3, 4))
    w5 = rng.standard_normal((1, 2, 2, 3, 1))
    assert_close_to_peer(pnd.correlate(x5, w5), ndi.correlate(x5, w5))


@pytest.mark.parametrize("out_dtype", [np.float32, np.float64, np.int16, np.uint8, np.int64,
                                       np.uint64, np.bool_, np.complex128])
@pytest.mark.parametrize("in_dtype", [np.uint8, np.float32, np.float64, np.int32])
def test_output_forms(rng, in_dtype, out_dtype):
    x = random_array(rng, (12, 9), in_dtype)
    w = rng.standard_normal((3, 3)) * 4
    # output as a dtype
    ours = pnd.correlate(x, w, output=out_dtype)
    if out_dtype == np.complex128:
        # scipy rejects a complex output for a real computation ("array type
        # not supported"); pyfilter stores the real result.
        ref = ndi.correlate(x, w, output=np.float64).astype(np.complex128)
    else:
        ref = ndi.correlate(x, w, output=out_dtype)
    if out_dtype == np.bool_:
        # scipy stores the raw wrapped byte; pyfilter stores its truth value
        np.testing.assert_array_equal(ours, ref.view(np.uint8) != 0)
    else:
        assert_close_to_peer(ours, ref, dtype_in=in_dtype, rtol=1e-5, atol=1e-4)
    # output as an array, returned as-is
    out = np.full(x.shape, 7, dtype=out_dtype)
    ret = pnd.correlate(x, w, output=out)
    assert ret is out
    np.testing.assert_array_equal(out, ours)
    # output as a dtype string
    assert pnd.correlate(x, w, output=np.dtype(out_dtype).str).dtype == np.dtype(out_dtype)


def test_integer_casting_extremes():
    """Truncation toward zero, wrap, and scipy's out-of-range results."""
    x = np.array([1.0])
    values = [1e10, -1e10, np.nan, np.inf, -np.inf, 3e9, -3e9, 1e19, -1e19, -1.5,
              2.0 ** 63 + 4096, 1.9e19, -2e19, 256, 300.7, -300.7, -9.2e18, -9.3e18,
              127.9, -128.9, 65535.5, 4294967295.9]
    # scipy casts differently in its N-D and its 1-D code paths
    for dt in [np.uint8, np.int8, np.int16, np.uint16, np.int32, np.uint32, np.int64,
               np.uint64, np.bool_]:
        for v in values:
            for name in ("correlate", "correlate1d", "convolve", "convolve1d"):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ours = getattr(pnd, name)(x, [v], output=dt)
                    ref = getattr(ndi, name)(x, [v], output=dt)
                if dt == np.bool_:
                    ref = ref.view(np.uint8) != 0
                assert ours[0] == ref[0], (name, dt, v, ours[0], ref[0])


def test_integer_casting_of_values_computed_from_the_data():
    """The same extremes (NaN and inf included) reaching the store from the
    data, where scipy's N-D path does not skip them: every filter and
    integer output against scipy."""
    values = [1e10, -1e10, np.nan, np.inf, -np.inf, 3e9, -3e9, 1e19, -1e19, -1.5,
              1.9e19, -2e19, 300.7, -300.7, -9.3e18]
    x = np.array(values)
    fp = np.ones(1, bool)
    calls = {
        "correlate": lambda m, o: m.correlate(x, [1.0], output=o),
        "convolve": lambda m, o: m.convolve(x, [1.0], output=o),
        "correlate 2-D": lambda m, o: m.correlate(x[:, None], [[0.0, 1.0]], output=o[:, None]),
        "correlate1d": lambda m, o: m.correlate1d(x, [1.0], output=o),
        "maximum_filter size": lambda m, o: m.maximum_filter(x, 1, output=o),
        "maximum_filter footprint": lambda m, o: m.maximum_filter(x, footprint=fp, output=o),
        "minimum_filter footprint": lambda m, o: m.minimum_filter(x, footprint=fp, output=o),
    }
    for dt in [np.uint8, np.int8, np.int16, np.uint16, np.int32, np.uint32, np.int64,
               np.uint64]:
        for name, call in calls.items():
            ours, ref = np.zeros(x.shape, dt), np.zeros(x.shape, dt)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                call(pnd, ours)
                call(ndi, ref)
            np.testing.assert_array_equal(ours, ref, err_msg=f"{name} {dt.__name__}")


def test_uint8_wrap_examples():
    # docs/semantics.md: uint8: -1.5 -> 255, 260 -> 4; int8: 150 -> -106
    x = np.array([1.0])
    assert pnd.correlate(x, [-1.5], output=np.uint8)[0] == 255
    assert pnd.correlate(x, [260.0], output=np.uint8)[0] == 4
    assert pnd.correlate(x, [150.0], output=np.int8)[0] == -106


def test_float32_computed_in_float32(rng):
    # float32 -> float32 accumulates in float32: close to the float64 result
    # rounded to float32, but not equal to it everywhere (a float64
    # accumulation would be); a float64 output computes in float64 like scipy.
    x = rng.standard_normal(4000).astype(np.float32)
    w = rng.standard_normal(15)
    ref64 = ndi.correlate1d(x.astype(np.float64), w).astype(np.float32)
    for ours in (pnd.correlate1d(x, w), pnd.correlate(x, w)):
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours, ref64, rtol=1e-4, atol=1e-5)
        assert np.count_nonzero(ours != ref64) > 100
    np.testing.assert_array_equal(pnd.correlate1d(x, w, output=np.float64),
                                  ndi.correlate1d(x, w, output=np.float64))
    np.testing.assert_array_equal(pnd.correlate(x, w, output=np.float64),
                                  ndi.correlate(x, w, output=np.float64))


def test_float64_bitwise_equal_to_scipy(rng):
    # same products, same order, no fused multiply-add: identical bits
    for shape, k in [((40, 50), (3, 3)), ((20, 30), (5, 4)), ((8, 9, 10), (3, 2, 3))]:
        x = rng.standard_normal(shape)
        w = rng.standard_normal(k)
        for mode in ("reflect", "constant", "wrap"):
            np.testing.assert_array_equal(pnd.correlate(x, w, mode=mode),
                                          ndi.correlate(x, w, mode=mode))
            np.testing.assert_array_equal(pnd.convolve(x, w, mode=mode),
                                          ndi.convolve(x, w, mode=mode))
            np.testing.assert_array_equal(pnd.correlate1d(x, w.ravel()[:4], axis=0, mode=mode),
                                          ndi.correlate1d(x, w.ravel()[:4], axis=0, mode=mode))
    xi = rng.integers(-300, 300, (200, 300)).astype(np.int16)
    np.testing.assert_array_equal(pnd.correlate(xi, np.ones((3, 3)) / 9),
                                  ndi.correlate(xi, np.ones((3, 3)) / 9))


def test_nan_inf_propagation():
    x = np.array([1.0, np.nan, 3, 4, 5, np.inf, 2, -np.inf, 1])
    for w in ([1, 0, 1], [1, 1e-17, 1], [1, 1e-15, 1], [1, np.nan, 1], [0, 0, 0], [2, -1, 0.5]):
        np.testing.assert_array_equal(pnd.correlate(x, w), ndi.correlate(x, w))
        np.testing.assert_array_equal(pnd.convolve(x, w), ndi.convolve(x, w))
        np.testing.assert_array_equal(pnd.correlate1d(x, w), ndi.correlate1d(x, w))
        np.testing.assert_array_equal(pnd.convolve1d(x, w), ndi.convolve1d(x, w))
    x2 = np.array([[1.0, np.nan], [3, 4]])
    w2 = np.array([[1, 0], [0, 1]])
    np.testing.assert_array_equal(pnd.correlate(x2, w2), ndi.correlate(x2, w2))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_kernel_longer_than_array(rng, mode, n):
    x = rng.standard_normal(n)
    for L in (n + 1, 2 * n + 3, 4 * n + 5):
        w = rng.standard_normal(L)
        assert_close_to_peer(pnd.correlate(x, w, mode=mode, cval=2.0),
                             ndi.correlate(x, w, mode=mode, cval=2.0))
        assert_close_to_peer(pnd.correlate1d(x, w, mode=mode, cval=2.0),
                             ndi.correlate1d(x, w, mode=mode, cval=2.0))
    x2 = rng.standard_normal((2, n))
    w2 = rng.standard_normal((5, 2 * n + 1))
    assert_close_to_peer(pnd.convolve(x2, w2, mode=mode), ndi.convolve(x2, w2, mode=mode))


def test_zero_size_input():
    for shape in [(0,), (0, 5), (3, 0), (2, 0, 4)]:
        x = np.zeros(shape)
        w = np.ones((3,) * len(shape))
        ours = pnd.correlate(x, w)
        ref = ndi.correlate(x, w)
        assert ours.shape == ref.shape and ours.dtype == ref.dtype
        assert pnd.correlate1d(x, [1, 2, 3], axis=0).shape == shape


def test_large_array_multithreaded_matches_scipy(rng):
    # big enough to run on several threads, with line tiles on a 1-D input
    x = rng.standard_normal((300, 1500)).astype(np.float64)
    w = rng.standard_normal((5, 5))
    assert_close_to_peer(pnd.correlate(x, w, workers=2), ndi.correlate(x, w))
    x1 = rng.standard_normal(200_000)
    w1 = rng.standard_normal(9)
    assert_close_to_peer(pnd.correlate(x1, w1, workers=3), ndi.correlate(x1, w1))


def test_short_last_axis_inner_block(rng):
    # (H, W, 3) images filtered on the first two axes only
    x = rng.standard_normal((40, 50, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3))
    for mode in ("reflect", "constant", "wrap"):
        ours = pnd.correlate(x, w, axes=(0, 1), mode=mode)
        ref = ndi.correlate(x, w, axes=(0, 1), mode=mode)
        assert_close_to_peer(ours, ref, dtype_in=np.float32)
    xi = random_array(rng, (20, 30, 4), np.uint8)
    assert_close_to_peer(pnd.convolve(xi, w, axes=(0, 1)), ndi.convolve(xi, w, axes=(0, 1)))
    # and with a strided (non-contiguous) output array
    out = np.zeros((40, 50, 6), np.float32)[:, :, ::2]
    pnd.correlate(x, w, axes=(0, 1), output=out)
    assert_close_to_peer(out, ndi.correlate(x, w, axes=(0, 1)), dtype_in=np.float32)


def test_cval_complex(rng):
    x = random_array(rng, (7, 8), np.complex128)
    w = rng.standard_normal((3, 3))
    assert_close_to_peer(pnd.correlate(x, w, mode="constant", cval=1 + 2j),
                         ndi.correlate(x, w, mode="constant", cval=1 + 2j))


def test_scipy_nd_reflect_long_kernel_bug(rng):
    """scipy 1.17's N-D correlate reads uninitialised memory in 'reflect'
    mode when the kernel is many times longer than the array; its
    correlate1d and np.pad agree on the periodic extension, and so does
    pyfilter (docs/semantics.md: every mode equals np.pad + valid correlation)."""
    x = np.array([1.0, 2.0])
    w = rng.standard_normal(70)
    ours = pnd.correlate(x, w, mode="reflect")
    padded = np.pad(x, (35, 34), mode="symmetric")
    ref = np.array([np.dot(padded[i:i + 70], w) for i in range(2)])
    np.testing.assert_allclose(ours, ref, rtol=1e-12)
    np.testing.assert_allclose(ours, ndi.correlate1d(x, w, mode="reflect"), rtol=1e-12)
    x2 = rng.standard_normal((4, 3))
    w2 = rng.standard_normal((3, 40))
    padded2 = np.pad(x2, ((1, 1), (20, 19)), mode="symmetric")
    from numpy.lib.stride_tricks import sliding_window_view
    ref2 = np.tensordot(sliding_window_view(padded2, w2.shape), w2, axes=2)
    np.testing.assert_allclose(pnd.correlate(x2, w2, mode="reflect"), ref2, rtol=1e-12)


@pytest.mark.parametrize("name", ["correlate", "convolve"])
@pytest.mark.parametrize("xdt, wdt", [(np.complex128, np.float64), (np.complex128, np.complex128),
                                      (np.float64, np.complex128), (np.complex64, np.complex64),
                                      (np.complex64, np.float64)])
def test_complex_non_finite_as_scipy_in_every_layout(name, xdt, wdt):
    """scipy correlates the real and imaginary parts separately: inf stays
    inf + 0j where the other part is finite (a complex multiply gives
    inf + nanj), and the result does not depend on the output's layout."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((5, 6)) + (1j * rng.standard_normal((5, 6))
                                         if np.dtype(xdt).kind == "c" else 0)
    x[2, 3] = np.inf
    x[0, 5] = -np.inf
    if np.dtype(xdt).kind == "c":
        x[1, 1] = 1j * np.inf
        x[3, 4] = np.nan
    x = x.astype(xdt)
    w = rng.standard_normal((3, 3))
    w[0, 0] = 0
    if np.dtype(wdt).kind == "c":
        w = w + 1j * rng.standard_normal((3, 3))
        w[1, 1], w[2, 2] = 2 + 0j, 1j
    w = w.astype(wdt)
    tol = 1e-5 if np.dtype(xdt) == np.complex64 else 1e-12
    for mode in ("reflect", "constant"):
        cval = (1 + 2j) if x.dtype.kind == "c" else 1.5
        ref = getattr(ndi, name)(x, w, mode=mode, cval=cval)
        for out in (np.empty(ref.shape, ref.dtype), np.empty(ref.shape[::-1], ref.dtype).T,
                    np.empty((ref.shape[0], 2 * ref.shape[1]), ref.dtype)[:, ::2]):
            getattr(pnd, name)(x, w, output=out, mode=mode, cval=cval)
            for part in (np.real, np.imag):
                a, b = part(out), part(ref)
                np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
                np.testing.assert_array_equal(np.isposinf(a), np.isposinf(b))
                np.testing.assert_array_equal(np.isneginf(a), np.isneginf(b))
                fin = np.isfinite(b)
                np.testing.assert_allclose(a[fin], b[fin], rtol=tol, atol=tol * 10)
