"""method='separable' and method='fft' against method='direct' (and
scipy), and what method='auto' picks."""
import numpy as np
import pytest
import scipy.ndimage as ndi

from pyfilter._ops import method as _separable
from pyfilter import filters
from pyfilter import ndimage as pnd

from tests.helpers import MODES


def _rank1(rng, shape, zero_prob=0.25):
    fs = [rng.standard_normal(n) for n in shape]
    for f in fs:
        if rng.random() < zero_prob and f.size > 1:
            f[rng.integers(0, f.size)] = 0.0
    k = fs[0]
    for f in fs[1:]:
        k = np.multiply.outer(k, f)
    return k


def _close(a, b, dtype):
    assert a.shape == b.shape and a.dtype == b.dtype
    tol = 2e-5 if np.dtype(dtype) in (np.float32, np.complex64) else 1e-10
    scale = max(1.0, float(np.abs(b).max())) if b.size else 1.0
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol * scale)


def test_random_cases_filters_correlate(rng):
    """FFT and separable agree with direct: shapes, strides, dilations,
    modes, cval, 1-D to 3-D, float32/float64."""
    done = 0
    for trial in range(250):
        nd = int(rng.integers(1, 4))
        shape = tuple(int(v) for v in rng.integers(1, 14, nd))
        dtype = np.float32 if rng.random() < 0.4 else np.float64
        x = rng.standard_normal(shape).astype(dtype)
        ks = tuple(int(v) for v in rng.integers(1, 6, nd))
        sep = rng.random() < 0.6
        k = _rank1(rng, ks) if sep else rng.standard_normal(ks)
        kw = dict(mode=str(rng.choice(MODES)), cval=float(rng.standard_normal()),
                  shape=str(rng.choice(["same", "valid", "full"])),
                  stride=[int(v) for v in rng.integers(1, 4, nd)],
                  dilation=[int(v) for v in rng.integers(1, 3, nd)])
        conv = rng.random() < 0.3
        f = filters.convolve if conv else filters.correlate
        try:
            ref = f(x, k, method="direct", **kw)
        except ValueError:
            continue      # 'valid' with a kernel larger than the image
        for method in ["fft", "auto"] + (["separable"] if sep else []):
            _close(f(x, k, method=method, **kw), ref, dtype)
        done += 1
    assert done > 150


@pytest.mark.parametrize("mode", MODES)
def test_ndimage_correlate_convolve_methods_vs_scipy(rng, mode):
    for shape, ks in [((30, 31), (5, 4)), ((9, 10, 11), (3, 4, 5)), ((50,), (7,))]:
        x = rng.standard_normal(shape)
        k = _rank1(rng, ks)
        for origin in (0, -1):
            for name in ("correlate", "convolve"):
                ref = getattr(ndi, name)(x, k, mode=mode, cval=0.7, origin=origin)
                for method in ("auto", "direct", "separable", "fft"):
                    _close(getattr(pnd, name)(x, k, mode=mode, cval=0.7, origin=origin,
                                              method=method), ref, np.float64)


def test_methods_with_axes_and_channels(rng):
    x = rng.standard_normal((6, 20, 21))
    k = _rank1(rng, (3, 5), zero_prob=0)
    ref = ndi.correlate(x, k, axes=(1, 2))
    for method in ("separable", "fft", "auto"):
        _close(pnd.correlate(x, k, axes=(1, 2), method=method), ref, np.float64)
        _close(pnd.correlate(x, k, axes=(2, 0), method=method),
               pnd.correlate(x, k, axes=(2, 0), method="direct"), np.float64)
    img = rng.standard_normal((20, 22, 3)).astype(np.float32)
    ref = filters.correlate(img, k, channel_axis=-1, method="direct", stride=2)
    for method in ("separable", "fft"):
        _close(filters.correlate(img, k, channel_axis=-1, method=method, stride=2), ref,
               np.float32)


def test_complex_data(rng):
    x = rng.standard_normal((15, 16)) + 1j * rng.standard_normal((15, 16))
    k = _rank1(rng, (3, 4), zero_prob=0)
    kc = k * (1 + 2j)
    for kern in (k, kc):
        ref = ndi.correlate(x, kern, mode="wrap")
        _close(pnd.correlate(x, kern, mode="wrap", method="fft"), ref, np.complex128)
    _close(pnd.correlate(x, k, mode="nearest", method="separable"),
           ndi.correlate(x, k, mode="nearest"), np.complex128)
    with pytest.raises(ValueError, match="separable"):
        pnd.correlate(x, kc, method="separable")


def test_integer_outputs(rng):
    x = rng.integers(0, 50, size=(20, 21)).astype(np.int16)
    k = np.ones((3, 3)) / 9
    # auto keeps the direct engine for integer outputs
    np.testing.assert_array_equal(pnd.correlate(x, k), pnd.correlate(x, k, method="direct"))
    for method in ("separable", "fft"):
        r = pnd.correlate(x, k, method=method)
        assert r.dtype == np.int16
        assert np.abs(r.astype(int) - ndi.correlate(x, k).astype(int)).max() <= 1


class _Spy:
    """Records which method each call runs (the module-level run functions,
    looked up when a planned call runs, so cached calls are seen too) and
    every rank-1 analysis of a kernel (an SVD)."""

    def __init__(self, monkeypatch):
        self.calls = []
        self.svds = 0
        for mod, attr, name in ((_separable, "run_direct", "direct"),
                                (_separable, "run_separable", "separable"),
                                (_separable._fft, "correlate_fft", "fft")):
            orig = getattr(mod, attr)

            def wrapper(*a, _orig=orig, _name=name, **kw):
                self.calls.append(_name)
                return _orig(*a, **kw)
            monkeypatch.setattr(mod, attr, wrapper)
        orig_r1 = _separable.rank1_factors

        def r1(*a, **kw):
            self.svds += 1
            return orig_r1(*a, **kw)
        monkeypatch.setattr(_separable, "rank1_factors", r1)


def test_auto_choices(rng, monkeypatch):
    spy = _Spy(monkeypatch)
    x = rng.standard_normal((300, 300)).astype(np.float32)
    pnd.correlate(x, np.ones((5, 5)) / 25)
    assert spy.calls == ["separable"]
    spy.calls.clear()
    pnd.correlate(x, rng.standard_normal((31, 31)))
    assert spy.calls == ["fft"]
    spy.calls.clear()
    pnd.correlate(x, rng.standard_normal((5, 5)))          # small, not separable
    pnd.correlate(x.astype(np.int32), np.ones((5, 5)))     # integer output
    pnd.correlate(x, np.ones((1, 25)))                     # one axis: direct
    assert spy.calls == ["direct"] * 3
    spy.calls.clear()
    y = x.copy()
    y[10, 10] = np.nan
    pnd.correlate(y, rng.standard_normal((31, 31)))        # NaN: no FFT
    assert spy.calls == ["direct"]


def test_auto_choice_is_planned_once_finiteness_per_call(rng, monkeypatch):
    """The kernel analysis ('auto''s SVD) runs once per signature; whether
    the input is finite (the FFT's condition) is checked on every call."""
    pnd._correlate._CACHE.clear()
    spy = _Spy(monkeypatch)
    x = rng.standard_normal((300, 300)).astype(np.float32)
    k = np.outer(rng.standard_normal(5), rng.standard_normal(5))
    first = pnd.correlate(x, k)
    again = pnd.correlate(x, k)
    assert spy.calls == ["separable", "separable"] and spy.svds == 1
    np.testing.assert_array_equal(first, again)
    _close(first, ndi.correlate(x, k), np.float32)
    spy.calls.clear()
    big = rng.standard_normal((31, 31))
    y = x.copy()
    y[3, 4] = np.inf
    ref_fft = pnd.correlate(x, big)
    ref_nan = pnd.correlate(y, big)          # same signature: the cached plan
    again_fft = pnd.correlate(x, big)
    assert spy.calls == ["fft", "direct", "fft"]
    np.testing.assert_array_equal(ref_fft, again_fft)
    _close(ref_fft, ndi.correlate(x, big), np.float32)
    np.testing.assert_array_equal(np.isnan(ref_nan), np.isnan(ndi.correlate(y, big)))
    fin = np.isfinite(ref_nan)
    _close(ref_nan[fin], ndi.correlate(y, big)[fin], np.float32)


def test_auto_keeps_nan_pattern_of_direct(rng):
    x = rng.standard_normal((40, 41))
    x[7, 9] = np.nan
    x[20, 30] = np.inf
    x[30, 5] = -np.inf
    # rank-1 kernels with zero rows/columns: zero taps are skipped on both paths
    for k in (np.outer([1.0, 0.0, -1.0], [1.0, 2.0, 1.0]),
              np.outer([1.0, 2.0, 0.0, 1.0], [0.0, 1.0, 3.0]),
              np.outer([1.0, 1e-9, 1.0], [1.0, 1e-9, 1.0])):
        d = pnd.correlate(x, k, method="direct")
        a = pnd.correlate(x, k)
        np.testing.assert_array_equal(np.isnan(a), np.isnan(d))
        np.testing.assert_array_equal(np.isinf(a), np.isinf(d))
        np.testing.assert_array_equal(np.isnan(d), np.isnan(ndi.correlate(x, k)))


def test_separable_and_fft_workers_agnostic(rng):
    x = rng.standard_normal((400, 333)).astype(np.float32)
    k = _rank1(rng, (7, 9), zero_prob=0)
    for method in ("separable", "fft"):
        res = [pnd.correlate(x, k, method=method, workers=w) for w in (1, 2, 3)]
        for r in res[1:]:
            np.testing.assert_array_equal(res[0], r)


def test_methods_bad_input(rng):
    x = rng.standard_normal((10, 10))
    with pytest.raises(ValueError, match="method"):
        pnd.correlate(x, np.ones((3, 3)), method="winograd")
    with pytest.raises(ValueError, match="method"):
        filters.convolve(x, np.ones((3, 3)), method=None)
    with pytest.raises(ValueError, match="separable"):
        pnd.correlate(x, np.eye(3), method="separable")
    with pytest.raises(ValueError, match="separable"):
        filters.correlate(x, np.eye(3), method="separable", stride=2)


def test_auto_with_a_non_finite_cval_keeps_it_at_the_border(rng):
    """A kernel large enough for the FFT with cval=nan/inf in constant mode:
    only outputs whose window reaches past the border see the cval."""
    x = rng.standard_normal((300, 300)).astype(np.float32)
    k = rng.standard_normal((21, 21)).astype(np.float32)
    for cval in (np.nan, np.inf):
        ours = pnd.correlate(x, k, mode="constant", cval=cval)
        ref = ndi.correlate(x, k, mode="constant", cval=cval)
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
        np.testing.assert_array_equal(np.isinf(ours), np.isinf(ref))
        fin = np.isfinite(ref)
        assert fin.sum() == (300 - 20) ** 2
        _close(ours[fin], ref[fin], np.float32)
