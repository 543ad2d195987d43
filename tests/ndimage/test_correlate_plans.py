"""Planned (cached) correlation calls: a repeated call gives what a fresh
call gives and what scipy gives; the cache never serves a call whose
arguments differ; bad input raises the same error every time; the engine's
paths (two lines at a time, direct interior reads, streamed stores, inner
channel blocks, x tiles) agree with scipy / numpy and for any thread count."""
import threading

import numpy as np
import pytest
import scipy.ndimage as ndi

from pyfilter import filters
from pyfilter import ndimage as pnd
from pyfilter._common import workers as W
from pyfilter._ops import plans as P
from pyfilter.ndimage import _correlate as _ndi_corr
from pyfilter.filters import _correlate as _flt_corr

from tests.helpers import (MODES, assert_close_to_peer, correlate_reference,
                           random_array)


def _clear():
    _ndi_corr._CACHE.clear()
    _flt_corr._CACHE.clear()


def _layouts(rng, shape, dtype):
    """The same values in several memory layouts."""
    base = random_array(rng, shape, dtype)
    out = {"C": base, "F": np.asfortranarray(base)}
    big = random_array(rng, tuple(2 * n for n in shape), dtype)
    sl = tuple(slice(None, None, 2) for _ in shape)
    big[sl] = base
    out["strided"] = big[sl]
    rev = base[::-1].copy()[::-1]
    out["negative"] = rev
    return out


def _three(func, x, w, **kw):
    """A first call, the repeated (cached) call and a fresh call."""
    _clear()
    first = func(x, w, **kw)
    second = func(x, w, **kw)
    _clear()
    fresh = func(x, w, **kw)
    return first, second, fresh


def _same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- cached == fresh == scipy
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8, np.int16, np.bool_,
                                   np.complex64, np.complex128])
@pytest.mark.parametrize("layout", ["C", "F", "strided", "negative"])
@pytest.mark.parametrize("func", ["correlate", "convolve"])
def test_cached_equals_fresh_and_scipy(rng, dtype, layout, func):
    x = _layouts(rng, (13, 17), dtype)[layout]
    for k, kw in [((3, 3), {}), ((2, 4), {"origin": (0, 1)}), ((5, 3), {"mode": "wrap"}),
                  ((3, 3), {"mode": "constant", "cval": 2.5}), ((4,), {"axes": (1,)}),
                  ((3, 2), {"axes": (1, 0), "mode": "mirror", "origin": -1})]:
        w = rng.standard_normal(k)
        runs = _three(getattr(pnd, func), x, w, **kw)
        _same(runs[0], runs[1])
        _same(runs[0], runs[2])
        assert_close_to_peer(runs[0], getattr(ndi, func)(x, w, **kw), dtype_in=dtype)


@pytest.mark.parametrize("mode", MODES)
def test_cached_modes_complex_weights_and_1d(rng, mode):
    x = random_array(rng, (11, 12, 5), np.float64)
    xc = random_array(rng, (11, 12), np.complex128)
    wc = rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))
    for f, ref, a, w, kw in [
            (pnd.correlate, ndi.correlate, x, rng.standard_normal((3, 3, 2)), {}),
            (pnd.convolve, ndi.convolve, x, rng.standard_normal((3, 3)), {"axes": (0, 1)}),
            (pnd.correlate, ndi.correlate, xc, wc, {}),
            (pnd.convolve, ndi.convolve, x[..., 0], wc, {}),
            (pnd.correlate1d, ndi.correlate1d, x, rng.standard_normal(4),
             {"axis": 1, "origin": 1}),
            (pnd.convolve1d, ndi.convolve1d, x, rng.standard_normal(3), {"axis": 0}),
            (pnd.correlate1d, ndi.correlate1d, xc, np.array([1 + 2j, -1j, 0.5]), {"axis": -1})]:
        kw = dict(kw, mode=mode, cval=-1.5)
        runs = _three(f, a, w, **kw)
        _same(runs[0], runs[1])
        _same(runs[0], runs[2])
        assert_close_to_peer(runs[0], ref(a, w, **kw))


@pytest.mark.parametrize("method", ["auto", "direct", "separable", "fft"])
def test_cached_methods(rng, method):
    x = rng.standard_normal((70, 90)).astype(np.float32)
    k = np.outer(rng.standard_normal(5), rng.standard_normal(7))
    for kw in [{}, {"mode": "constant", "cval": 0.5}, {"origin": (1, -2)}]:
        runs = _three(pnd.correlate, x, k, method=method, **kw)
        _same(runs[0], runs[1])
        _same(runs[0], runs[2])
        np.testing.assert_allclose(runs[0], ndi.correlate(x, k, **kw), rtol=1e-4, atol=1e-4)
    for kw in [{"stride": 2, "shape": "full"}, {"dilation": (2, 1), "shape": "valid"},
               {"stride": (1, 3), "dilation": 2, "mode": "wrap"}]:
        runs = _three(filters.convolve, x, k, method=method, **kw)
        _same(runs[0], runs[1])
        _same(runs[0], runs[2])
        ref = correlate_reference(x.astype(np.float64), k, convolve=True,
                                  **{a: b for a, b in kw.items()})
        np.testing.assert_allclose(runs[0], ref, rtol=1e-4, atol=1e-4)


def test_cached_output_forms(rng):
    x = rng.standard_normal((20, 30)).astype(np.float32)
    w = rng.standard_normal((3, 3))
    ref32 = ndi.correlate(x, w)
    ref64 = ndi.correlate(x, w, output=np.float64)
    refi = ndi.correlate(x * 50, w, output=np.int16)
    for _ in range(2):        # the second round runs from the cache
        np.testing.assert_allclose(pnd.correlate(x, w), ref32, rtol=2e-5, atol=2e-5)
        _same(pnd.correlate(x, w, output=np.float64), ref64)
        _same(pnd.correlate(x * 50, w, output=np.int16), refi)
        out = np.empty((20, 30), np.float64)
        assert pnd.correlate(x, w, output=out) is out
        _same(out, ref64)
        big = np.zeros((40, 60), np.float64)
        view = big[::2, ::2]
        pnd.correlate(x, w, output=view)
        _same(view, ref64)
        assert not big[1::2].any()
        fo = np.empty((20, 30), np.float64, order="F")
        pnd.correlate(x, w, output=fo)
        _same(fo, ref64)
        swapped = np.empty((20, 30), np.dtype(">f8"))
        pnd.correlate(x, w, output=swapped)
        _same(swapped.astype(np.float64), ref64)
        y = x.copy()
        pnd.correlate(y, w, output=y)          # output is the input
        np.testing.assert_allclose(y, ref32, rtol=2e-5, atol=2e-5)


# ---------------------------------------------------------------- the cache never mixes calls
def test_cache_keys_distinguish_arguments(rng):
    _clear()
    x = rng.standard_normal((15, 16))
    w = rng.standard_normal((3, 3))
    for cval in (1, True, 1.0, np.float64(1.0)):
        np.testing.assert_array_equal(pnd.correlate(x, w, mode="constant", cval=cval),
                                      ndi.correlate(x, w, mode="constant", cval=cval))
    assert len(_ndi_corr._CACHE) == 4
    w2 = w.copy()
    w2[1, 1] += 1.0                       # same shape, other values
    r1 = pnd.correlate(x, w)
    r2 = pnd.correlate(x, w2)
    np.testing.assert_array_equal(r1, ndi.correlate(x, w))
    np.testing.assert_array_equal(r2, ndi.correlate(x, w2))
    # the same values as a list, and as float32 (other weights)
    np.testing.assert_array_equal(pnd.correlate(x, w.tolist()), ndi.correlate(x, w.tolist()))
    w32 = w.astype(np.float32)
    np.testing.assert_array_equal(pnd.correlate(x, w32), ndi.correlate(x, w32))
    # other input dtypes of the same shape and strides
    xi = (x * 20).astype(np.int64)
    np.testing.assert_array_equal(pnd.correlate(xi, w), ndi.correlate(xi, w))
    xu = (np.abs(x) * 20).astype(np.uint64)
    np.testing.assert_array_equal(pnd.correlate(xu, w), ndi.correlate(xu, w))


@pytest.mark.parametrize("method", ["auto", "direct", "fft", "separable"])
def test_weights_changed_in_place(rng, method):
    """Kernels are keyed by content and copied into the plan: changing the
    caller's array afterwards changes neither the plan nor later results."""
    x = rng.standard_normal((300, 300)).astype(np.float32)
    n = 31 if method in ("auto", "fft") else 5
    k = np.outer(rng.standard_normal(n), rng.standard_normal(n))
    original = k.copy()
    a = pnd.correlate(x, k, method=method)
    k *= 2.0
    b = pnd.correlate(x, k, method=method)
    np.testing.assert_allclose(b, 2 * a, rtol=1e-4, atol=1e-3)
    c = pnd.correlate(x, original, method=method)     # the first signature again
    _same(c, a)
    np.testing.assert_allclose(a, ndi.correlate(x, original), rtol=1e-4, atol=1e-3)


def test_outputs_of_other_strides_and_read_only(rng):
    x = rng.standard_normal((12, 14))
    w = rng.standard_normal((3, 3))
    ref = ndi.correlate(x, w)
    ok = np.empty((12, 14))
    pnd.correlate(x, w, output=ok)
    ro = np.empty((12, 14))
    ro.flags.writeable = False
    for _ in range(2):
        with pytest.raises(ValueError, match="read-only"):
            pnd.correlate(x, w, output=ro)
        with pytest.raises(ValueError, match="read-only"):
            filters.correlate(x, w, output=ro)
    for out in (np.empty((14, 12)).T, np.empty((12, 28))[:, ::2], np.empty((24, 14))[::2]):
        pnd.correlate(x, w, output=out)
        _same(out, ref)


BAD_CALLS = {
    "mode": lambda x, w: pnd.correlate(x, w, mode="bogus"),
    "origin": lambda x, w: pnd.correlate(x, w, origin=5),
    "complex cval": lambda x, w: pnd.correlate(x, w, cval=1j),
    "output shape": lambda x, w: pnd.correlate(x, w, output=np.empty((3, 3))),
    "method": lambda x, w: pnd.correlate(x, w, method="winograd"),
    "workers": lambda x, w: pnd.correlate(x, w, workers=0),
    "axes": lambda x, w: pnd.correlate(x, w, axes=(0, 0)),
    "separable": lambda x, w: pnd.correlate(x, w, method="separable"),
    "1d origin": lambda x, w: pnd.correlate1d(x, w[0], origin=3),
    "1d axis": lambda x, w: pnd.convolve1d(x, w[0], axis=4),
    "filters shape": lambda x, w: filters.correlate(x, w, shape="same-ish"),
    "filters stride": lambda x, w: filters.correlate(x, w, stride=0),
    "filters valid": lambda x, w: filters.correlate(x[:2], w, shape="valid"),
    "filters output dtype": lambda x, w: filters.convolve(x, w, output=np.float16),
    "laplace mask": lambda x, w: filters.laplace(x, mask=np.ones((3, 3))),
    "laplace output": lambda x, w: filters.laplace(x, output=np.int32),
}


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_input_raises_the_same_every_time(rng, name):
    x = rng.standard_normal((10, 11))
    w = rng.standard_normal((3, 3))
    w[0, 1] = 0.0
    w[1] = [1.0, -2.0, 1.5]              # not separable
    errors = []
    for i in range(3):
        with pytest.raises((ValueError, TypeError)) as exc:
            BAD_CALLS[name](x, w)
        errors.append((type(exc.value), str(exc.value)))
        if i == 0:
            pnd.correlate(x, w)            # a good call of the same layout in between
            filters.correlate(x, w)
    assert errors[0] == errors[1] == errors[2]


def test_bad_workers_checked_on_cached_calls(rng):
    x = rng.standard_normal((10, 11))
    w = np.ones((3, 3))
    pnd.correlate(x, w)
    for bad in (0, 1.5, "2", True):
        with pytest.raises((ValueError, TypeError), match="workers"):
            pnd.correlate(x, w, workers=bad)


def test_caller_arrays_not_modified(rng):
    x = rng.standard_normal((30, 31)).astype(np.float32)
    w = rng.standard_normal((3, 3))
    xs, ws = x.copy(), w.copy()
    for _ in range(2):
        pnd.correlate(x, w)
        pnd.convolve(x, w, mode="constant", cval=3.0)
        filters.correlate(x, w, stride=2)
        pnd.correlate1d(x, w[0])
        filters.laplace(x)
    _same(x, xs)
    _same(w, ws)


def test_filters_laplace_cached(rng):
    from skimage import filters as skf
    img = rng.integers(0, 255, (40, 41)).astype(np.uint8)
    mask = rng.random((40, 41)) > 0.2
    for kw in [{}, {"mask": mask}]:
        ref = skf.laplace(img, **kw)
        for _ in range(2):
            np.testing.assert_allclose(filters.laplace(img, **kw), ref, rtol=1e-12,
                                       atol=1e-12)
    x = rng.standard_normal((20, 21, 3)).astype(np.float32)
    r = [filters.laplace(x, channel_axis=-1) for _ in range(2)]
    _same(r[0], r[1])
    want = np.stack([skf.laplace(x[..., c]) for c in range(3)], axis=-1)
    np.testing.assert_allclose(r[0], want, rtol=2e-5, atol=2e-5)


# ---------------------------------------------------------------- engine paths
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8, np.int32])
@pytest.mark.parametrize("mode", ["reflect", "constant", "nearest", "mirror", "wrap"])
def test_two_lines_at_a_time(rng, dtype, mode):
    """Full 3x3 kernels: lines in pairs (odd line counts, band edges, rows
    outside the array in 'constant' mode, dilation along x, short and long
    lines); a kernel with a skipped tap takes the one-line path."""
    for shape in [(1, 40), (2, 9), (3, 700), (7, 65), (64, 600), (33, 1030)]:
        x = random_array(rng, shape, dtype)
        for w in (rng.standard_normal((3, 3)),
                  np.array([[1.0, 0.0, 2.0], [0.5, -1.0, 3.0], [1e-17, 1.0, 0.25]])):
            for workers in (1, 2):
                ours = pnd.correlate(x, w, mode=mode, cval=0.75, workers=workers)
                assert_close_to_peer(ours, ndi.correlate(x, w, mode=mode, cval=0.75),
                                     dtype_in=dtype)
        xf = x.astype(np.float64)
        for kw in [{"dilation": (1, 2)}, {"dilation": (2, 1)}, {"stride": (1, 2)},
                   {"stride": (2, 1), "shape": "full"}]:
            ref = correlate_reference(xf, w, mode=mode, cval=0.75, **kw)
            ours = filters.correlate(xf, w, mode=mode, cval=0.75, **kw)
            np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


def test_float64_bitwise_equal_to_scipy(rng):
    for shape, k in [((64, 600), (3, 3)), ((31, 257), (3, 3)), ((20, 21, 22), (3, 3, 3)),
                     ((300, 40, 3), (3, 3, 1)), ((9, 2000), (5, 4))]:
        x = rng.standard_normal(shape)
        w = rng.standard_normal(k)
        for mode in ("reflect", "constant", "wrap"):
            for workers in (1, 2):
                np.testing.assert_array_equal(pnd.correlate(x, w, mode=mode, workers=workers),
                                              ndi.correlate(x, w, mode=mode))
                np.testing.assert_array_equal(pnd.convolve(x, w, mode=mode, workers=workers),
                                              ndi.convolve(x, w, mode=mode))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8, np.int16, np.complex64])
def test_hwc_inner_block(rng, dtype):
    """An unfiltered short last axis (HWC images): channel blocks of 1..5,
    short and long lines (direct reads), contiguous and strided layouts,
    outputs of other dtypes."""
    for shape in [(30, 40, 3), (20, 700, 3), (9, 600, 4), (17, 1100, 1), (12, 520, 5)]:
        x = random_array(rng, shape, dtype)
        w = rng.standard_normal((3, 3))
        for xv in (x, x[:, ::-1], np.asfortranarray(x)):
            ours = pnd.correlate(xv, w, axes=(0, 1), mode="mirror")
            assert_close_to_peer(ours, ndi.correlate(xv, w, axes=(0, 1), mode="mirror"),
                                 dtype_in=dtype)
        if dtype != np.complex64:
            out = np.empty(shape, np.float32)
            pnd.correlate(x, w, axes=(0, 1), output=out)
            np.testing.assert_allclose(out, ndi.correlate(x, w, axes=(0, 1), output=np.float32),
                                       rtol=2e-5, atol=2e-4)
        k5 = rng.standard_normal((5, 4))
        assert_close_to_peer(pnd.correlate(x, k5, axes=(0, 1), mode="wrap"),
                             ndi.correlate(x, k5, axes=(0, 1), mode="wrap"), dtype_in=dtype)


def _asks_for_threads(func, x, w, **kw):
    with P.capture() as cap:
        func(x, w, **kw)
    return W.threads_for(3, cap.call.work) == min(3, W._cpu_count())


def test_paths_identical_for_any_thread_count(rng):
    f32 = np.float32
    cases = [
        (pnd.correlate, rng.standard_normal((1000, 700)).astype(f32), np.ones((3, 3)) / 9, {}),
        (pnd.correlate, rng.standard_normal((3, 200000)).astype(f32),
         rng.standard_normal((3, 3)), {}),                       # x tiles
        (pnd.correlate, rng.standard_normal((2, 200000)), rng.standard_normal((1, 7)), {}),
        (pnd.correlate, rng.integers(0, 256, (500, 400, 3)).astype(np.uint8),
         rng.standard_normal((3, 3)), {"axes": (0, 1)}),
        (pnd.correlate, rng.standard_normal((2900, 2900)).astype(f32),
         rng.standard_normal((3, 3)), {"mode": "constant"}),     # streamed stores (>= 32 MiB)
        (pnd.correlate, rng.standard_normal((601, 1034))[::-1, ::2],
         rng.standard_normal((3, 3)), {}),
        (pnd.correlate, rng.standard_normal((1001, 600)).astype(f32),
         rng.standard_normal((3, 3)), {}),                       # pairs, odd band lengths
        (pnd.correlate, rng.standard_normal((999, 500)), rng.standard_normal((3, 3)),
         {"mode": "wrap"}),
        (pnd.correlate, rng.standard_normal((401, 517)).astype(f32),
         rng.standard_normal((5, 5)), {}),
        (pnd.correlate, rng.standard_normal((60, 70, 80)).astype(f32),
         rng.standard_normal((3, 3, 3)), {}),
        (pnd.convolve, rng.integers(0, 256, (600, 800)).astype(np.uint8),
         rng.standard_normal((3, 3)), {}),
        (pnd.correlate, rng.standard_normal((300, 300, 3)), rng.standard_normal((3, 3)),
         {"axes": (0, 1)}),
        (pnd.correlate, rng.standard_normal((200, 300)) + 1j * rng.standard_normal((200, 300)),
         rng.standard_normal((3, 3)), {}),
        (filters.correlate, rng.standard_normal((1500, 1800)).astype(f32),
         rng.standard_normal((3, 4)), {"stride": (2, 3), "dilation": 2, "shape": "full"}),
    ]
    for func, x, w, kw in cases:
        assert _asks_for_threads(func, x, w, **kw), (x.shape, w.shape, kw)
        res = [func(x, w, workers=n, **kw) for n in (1, 2, 3)]
        for r in res[1:]:
            _same(r, res[0])


def test_python_threads_share_plans_and_pool(rng):
    """Several Python threads run the same cached plan at once (one of them
    gets the pool, the others run on their own thread): same results."""
    xs = [rng.standard_normal((1000, 600)).astype(np.float32) for _ in range(6)]
    w = rng.standard_normal((3, 3))
    assert _asks_for_threads(pnd.correlate, xs[0], w)
    serial = [pnd.correlate(x, w, workers=1) for x in xs]
    results = [None] * len(xs)

    def work(i):
        for _ in range(3):
            results[i] = pnd.correlate(xs[i], w, workers=2)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(xs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r, s in zip(results, serial):
        _same(r, s)


def test_engine_plan_checks_its_arrays(rng):
    from pyfilter._ops import correlate as core
    x = rng.standard_normal((10, 12))
    w = rng.standard_normal((3, 3))
    c = core.call(x, w, None, [2, 2], 0.0, [-1, -1], [1, 1], [1, 1], x.shape)
    out = np.empty_like(x)
    plan = c.build(x, out)
    plan.run(x, out, 0.0, 1)
    np.testing.assert_array_equal(out, ndi.correlate(x, w))
    with pytest.raises(ValueError, match="shape"):
        plan.run(x[:5], out, 0.0, 1)
    with pytest.raises(ValueError, match="dtype"):
        plan.run(x.astype(np.float32), out, 0.0, 1)
    with pytest.raises(ValueError, match="read-only"):
        ro = np.empty_like(x)
        ro.flags.writeable = False
        plan.run(x, ro, 0.0, 1)
