"""ndimage.generic_filter and generic_filter1d against scipy.ndimage."""
import ctypes
import shutil
import subprocess
import warnings

import numpy as np
import pytest
import scipy
from scipy import ndimage as sp

from pyfilter import ndimage as pf

MODES = ["reflect", "constant", "nearest", "mirror", "wrap", "grid-constant",
         "grid-mirror", "grid-wrap"]
DTYPES = [np.bool_, np.uint8, np.int16, np.int32, np.int64, np.float32, np.float64]

C_SOURCE = r"""
#include <stdint.h>
int wsum(double *buf, intptr_t n, double *out, void *ud) {
    double s = 0.0, k = ud ? *(double *)ud : 1.0;
    for (intptr_t i = 0; i < n; i++) s += buf[i] * (double)(i + 1);
    *out = s * k;
    return 1;
}
int fail_neg(double *buf, intptr_t n, double *out, void *ud) {
    for (intptr_t i = 0; i < n; i++) if (buf[i] < 0) return 0;
    *out = n;
    return 1;
}
int line_diff(double *in, intptr_t nin, double *out, intptr_t nout, void *ud) {
    intptr_t L = nin - nout + 1;
    for (intptr_t i = 0; i < nout; i++) out[i] = in[i + L - 1] * 2.0 - in[i] + 0.25 * L;
    return 1;
}
"""


def _data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return rng.random(shape) > 0.5
    if np.dtype(dtype).kind == "f":
        return (rng.standard_normal(shape) * 50).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -200), min(info.max, 200), shape).astype(dtype)


@pytest.fixture(scope="module")
def clib(tmp_path_factory):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    d = tmp_path_factory.mktemp("genericlib")
    src, lib = d / "g.c", d / "libg.so"
    src.write_text(C_SOURCE)
    subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", str(lib), str(src)], check=True)
    return ctypes.CDLL(str(lib))


def _ll(lib, name, user_data=None):
    f = getattr(lib, name)
    if name == "line_diff":
        f.argtypes = [ctypes.POINTER(ctypes.c_double), ctypes.c_ssize_t,
                      ctypes.POINTER(ctypes.c_double), ctypes.c_ssize_t, ctypes.c_void_p]
    else:
        f.argtypes = [ctypes.POINTER(ctypes.c_double), ctypes.c_ssize_t,
                      ctypes.POINTER(ctypes.c_double), ctypes.c_void_p]
    f.restype = ctypes.c_int
    ud = None if user_data is None else ctypes.cast(ctypes.pointer(user_data), ctypes.c_void_p)
    return scipy.LowLevelCallable(f, ud)


def _same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


def _wsum(w):
    return float((w * np.arange(1, w.size + 1)).sum())


# ------------------------------------------------------------------ generic_filter
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_python_callable_dtypes_modes(dtype, mode):
    x = _data((5, 6), dtype)
    fp = np.array([[1, 0, 1], [1, 1, 0]], bool)
    for kw in (dict(size=3), dict(footprint=fp), dict(size=(2, 4), origin=(0, -1))):
        a = pf.generic_filter(x, _wsum, mode=mode, cval=1.5, **kw)
        b = sp.generic_filter(x, _wsum, mode=mode, cval=1.5, **kw)
        _same(a, b)


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("mode", ["reflect", "constant", "mirror", "wrap", "nearest"])
def test_ndim_footprints_origins(ndim, mode):
    rng = np.random.default_rng(ndim)
    x = _data((4, 5, 3)[:ndim], np.float64)
    for trial in range(4):
        fshape = tuple(int(s) for s in rng.integers(1, 5, ndim))
        fp = rng.random(fshape) > 0.4
        origin = [int(rng.integers(-(k // 2), (k - 1) // 2 + 1)) for k in fshape]
        for func in (np.mean if fp.any() else _wsum, np.max, _wsum):
            a = pf.generic_filter(x, func, footprint=fp, mode=mode, origin=origin, cval=-2)
            b = sp.generic_filter(x, func, footprint=fp, mode=mode, origin=origin, cval=-2)
            _same(a, b)


def test_long_windows_short_axes():
    x = _data((2, 3), np.float64)
    for mode in MODES:
        _same(pf.generic_filter(x, _wsum, size=(5, 7), mode=mode),
              sp.generic_filter(x, _wsum, size=(5, 7), mode=mode))


def test_axes():
    x = _data((4, 5, 6), np.int32)
    fp = np.array([[1, 0, 1], [0, 1, 1]], bool)
    for axes, origin in (((0, 2), (0, 1)), ((2, 0), (1, 0)), ((1,), -1), ((-1, 0), 0)):
        for kw in (dict(size=(2, 3)) if len(axes) == 2 else dict(size=3), dict(footprint=fp)
                   if len(axes) == 2 else dict(footprint=[1, 0, 1])):
            a = pf.generic_filter(x, _wsum, axes=axes, origin=origin, **kw)
            b = sp.generic_filter(x, _wsum, axes=axes, origin=origin, **kw)
            _same(a, b)


def test_extra_arguments_keywords():
    x = _data((6, 7), np.float64)

    def f(w, a, b=1.0, *, c=0.0):
        return w.max() * a - w.min() * b + c
    for args, kw in (((2.0,), None), ((2.0, 3.0), {"c": 0.5}), ((1.5,), {"b": 2.0})):
        _same(pf.generic_filter(x, f, size=3, extra_arguments=args, extra_keywords=kw),
              sp.generic_filter(x, f, size=3, extra_arguments=args, extra_keywords=kw))


@pytest.mark.parametrize("out_dtype", [np.bool_, np.uint8, np.int16, np.int64, np.uint64,
                                       np.float32, np.float64])
def test_output_casts(out_dtype):
    x = _data((5, 5), np.float64)

    def f(w):
        return w[0] * 7.3 - 40.0
    a = pf.generic_filter(x, f, size=2, output=out_dtype)
    b = sp.generic_filter(x, f, size=2, output=out_dtype)
    if out_dtype == np.bool_:
        b = b.view(np.uint8) != 0       # scipy stores the raw byte
    _same(a, b)
    out = np.empty((5, 5), out_dtype)
    r = pf.generic_filter(x, f, size=2, output=out)
    assert r is out
    _same(out, a)


def test_cast_extremes():
    x = np.arange(6.0)
    for v in (np.nan, -1.5, 300.7, -1e19, 1e30, np.inf):
        for dt in (np.uint8, np.int32, np.uint64, np.int64):
            _same(pf.generic_filter(x, lambda w: v, size=2, output=dt),
                  sp.generic_filter(x, lambda w: v, size=2, output=dt))
            _same(pf.generic_filter1d(x, lambda i, o: o.fill(v), 2, output=dt),
                  sp.generic_filter1d(x, lambda i, o: o.fill(v), 2, output=dt))


def test_windows_are_fresh_arrays():
    x = _data((3, 4), np.float64)
    seen = []

    def f(w):
        seen.append(w)
        w[:] = 0        # writable; does not change later windows
        return 1.0
    pf.generic_filter(x, f, size=2)
    assert len(seen) == x.size
    assert all(w.dtype == np.float64 and w.ndim == 1 and w.flags.writeable for w in seen)
    assert seen[0] is not seen[1]
    assert not np.shares_memory(seen[0], seen[1])
    ref = []
    sp.generic_filter(x, lambda w: ref.append(w.copy()) or 1.0, size=2)
    mine = []
    pf.generic_filter(x, lambda w: mine.append(w.copy()) or 1.0, size=2)
    for a, b in zip(mine, ref):
        _same(a, b)


def test_order_of_calls():
    x = _data((3, 4, 2), np.float64)
    calls_p, calls_s = [], []
    pf.generic_filter(x, lambda w: calls_p.append(w.sum()) or len(calls_p), size=2)
    sp.generic_filter(x, lambda w: calls_s.append(w.sum()) or len(calls_s), size=2)
    assert calls_p == calls_s


def test_empty_footprint_and_arrays():
    x = _data((3, 4), np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _same(pf.generic_filter(x, np.mean, footprint=[[0, 0], [0, 0]]),
              sp.generic_filter(x, np.mean, footprint=[[0, 0], [0, 0]]))
    _same(pf.generic_filter(np.zeros((0, 3)), np.sum, size=2),
          sp.generic_filter(np.zeros((0, 3)), np.sum, size=2))
    _same(pf.generic_filter(np.float64(3.0), np.sum, size=1),
          sp.generic_filter(np.float64(3.0), np.sum, size=1))


def test_inputs_unchanged_and_layouts():
    x = _data((6, 8), np.int16)
    keep = x.copy()
    for v in (x, x[::-1, ::2], x.T, x.astype(">i2")):
        _same(pf.generic_filter(v, _wsum, size=(2, 3)), sp.generic_filter(v, _wsum, size=(2, 3)))
    _same(x, keep)
    out = x.copy()
    _same(pf.generic_filter(out, _wsum, size=3, output=out), sp.generic_filter(x, _wsum, size=3))


def test_low_level_callable(clib):
    x = _data((13, 17), np.float64)
    k = ctypes.c_double(0.5)
    for ll in (_ll(clib, "wsum"), _ll(clib, "wsum", k)):
        for mode in MODES:
            fp = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]], bool)
            a = pf.generic_filter(x, ll, footprint=fp, mode=mode, workers=1)
            _same(a, sp.generic_filter(x, ll, footprint=fp, mode=mode))
            _same(a, pf.generic_filter(x, ll, footprint=fp, mode=mode, workers=2))
    big = _data((300, 257), np.uint8)
    ll = _ll(clib, "wsum")
    a1 = pf.generic_filter(big, ll, size=(3, 5), output=np.float64, workers=1)
    a2 = pf.generic_filter(big, ll, size=(3, 5), output=np.float64, workers=2)
    assert a1.tobytes() == a2.tobytes()
    _same(a1, sp.generic_filter(big, ll, size=(3, 5), output=np.float64))


def test_low_level_callable_signatures(clib):
    f = clib.wsum
    for sig in ("int (double *, intptr_t, double *, void *)",
                "int (double *, npy_intp, double *, void *)"):
        ll = scipy.LowLevelCallable(ctypes.cast(f, ctypes.c_void_p).value and
                                    _ll(clib, "wsum").function, signature=sig)
        x = np.arange(10.0)
        _same(pf.generic_filter(x, ll, size=3), sp.generic_filter(x, ll, size=3))
    CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_double), ctypes.c_int,
                          ctypes.POINTER(ctypes.c_double), ctypes.c_void_p)
    bad = scipy.LowLevelCallable(CB(lambda *a: 1))
    for fn in (pf.generic_filter, sp.generic_filter):
        with pytest.raises(ValueError, match="Invalid scipy.LowLevelCallable signature"):
            fn(np.arange(5.0), bad, size=2)
    for fn in (pf.generic_filter1d, sp.generic_filter1d):
        with pytest.raises(ValueError, match="Invalid scipy.LowLevelCallable signature"):
            fn(np.arange(5.0), _ll(clib, "wsum"), 2)
    for fn in (pf.generic_filter, sp.generic_filter):
        with pytest.raises(ValueError, match="Invalid scipy.LowLevelCallable signature"):
            fn(np.arange(5.0), _ll(clib, "line_diff"), size=2)


def test_ctypes_python_callback():
    CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_double), ctypes.c_long,
                          ctypes.POINTER(ctypes.c_double), ctypes.c_void_p)

    def cb(buf, n, out, ud):
        out[0] = sum(buf[i] * (i + 1) for i in range(n))
        return 1
    ll = scipy.LowLevelCallable(CB(cb))
    x = _data((9, 11), np.float32)
    a = pf.generic_filter(x, ll, size=3, mode="mirror", workers=1)
    _same(a, sp.generic_filter(x, ll, size=3, mode="mirror"))
    _same(a, pf.generic_filter(x, ll, size=3, mode="mirror", workers=2))


def test_callback_errors(clib):
    x = np.array([[1.0, 2.0], [-3.0, 4.0]])
    ll = _ll(clib, "fail_neg")
    for fn in (pf.generic_filter, sp.generic_filter):
        with pytest.raises(RuntimeError, match="unknown error in filter function"):
            fn(x, ll, size=2)
    for bad, exc in ((lambda w: "a", TypeError), (lambda w: None, TypeError),
                     (lambda w: 1j, TypeError), (lambda w: 1 / 0, ZeroDivisionError)):
        with pytest.raises(exc) as e1:
            pf.generic_filter(x, bad, size=2)
        with pytest.raises(exc) as e2:
            sp.generic_filter(x, bad, size=2)
        assert str(e1.value) == str(e2.value)
    # (scipy 1.17 sometimes leaves this TypeError set and raises SystemError)
    with pytest.raises(TypeError, match="only 0-dimensional arrays"):
        pf.generic_filter(x, lambda w: np.array([1.0, 2.0]), size=2)
    _same(pf.generic_filter(x, lambda w: 2 ** 70, size=2),
          sp.generic_filter(x, lambda w: 2 ** 70, size=2))


def test_argument_errors():
    x = np.arange(12.0).reshape(3, 4)
    cases = [dict(function=3, size=2), dict(function=np.mean),
             dict(function=np.mean, size=2, mode="foo"),
             dict(function=np.mean, size=2, origin=5),
             dict(function=np.mean, footprint=np.ones((2, 2, 2))),
             dict(function=np.mean, size=0),
             dict(function=np.mean, size=2, mode=["reflect", "reflect"]),
             dict(function=np.mean, size=2, output=np.zeros((2, 2)))]
    for kw in cases:
        with pytest.raises(Exception) as e2:
            sp.generic_filter(x, **kw)
        with pytest.raises(type(e2.value)):
            pf.generic_filter(x, **kw)
    for fn in (pf.generic_filter, sp.generic_filter):
        with pytest.raises(TypeError):
            fn(x, np.mean, size=2, cval=1j)
        with pytest.raises(TypeError):
            fn(x.astype(complex), np.mean, size=2)
    for kw in (dict(extra_arguments=[1.0]), dict(extra_keywords=[("a", 1)])):
        for fn in (pf.generic_filter, sp.generic_filter):
            with pytest.raises(RuntimeError):
                fn(x, np.mean, size=2, **kw)
    with pytest.warns(UserWarning, match="ignoring size"):
        pf.generic_filter(x, np.mean, size=2, footprint=[[1, 1]])


# ------------------------------------------------------------------ generic_filter1d
def _line(i, o, scale=1.0, shift=0.0):
    L = i.size - o.size + 1
    o[:] = (i[L - 1:] * 2 - i[:o.size] + 0.25 * L) * scale + shift


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_1d_dtypes_modes(dtype, mode):
    x = _data((4, 7), dtype)
    for size, origin, axis in ((3, 0, -1), (4, -2, 0), (4, 1, 1), (1, 0, 0), (9, 3, -1)):
        a = pf.generic_filter1d(x, _line, size, axis=axis, mode=mode, cval=2.5, origin=origin)
        b = sp.generic_filter1d(x, _line, size, axis=axis, mode=mode, cval=2.5, origin=origin)
        _same(a, b)


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_1d_ndim_lines_and_extras(ndim):
    x = _data((3, 5, 4)[:ndim], np.float64)
    for axis in range(ndim):
        ins_p, ins_s = [], []
        pf.generic_filter1d(x, lambda i, o: ins_p.append(i.copy()), 3, axis=axis,
                            mode="wrap")
        sp.generic_filter1d(x, lambda i, o: ins_s.append(i.copy()), 3, axis=axis,
                            mode="wrap")
        assert len(ins_p) == len(ins_s)
        for a, b in zip(ins_p, ins_s):
            _same(a, b)
        _same(pf.generic_filter1d(x, _line, 2, axis=axis, extra_arguments=(2.0,),
                                  extra_keywords={"shift": 1.0}),
              sp.generic_filter1d(x, _line, 2, axis=axis, extra_arguments=(2.0,),
                                  extra_keywords={"shift": 1.0}))


def test_1d_output_and_short_lines():
    x = _data((2, 3), np.int32)
    for mode in MODES:
        for dt in (np.uint8, np.float32, np.int64):
            _same(pf.generic_filter1d(x, _line, 8, output=dt, mode=mode),
                  sp.generic_filter1d(x, _line, 8, output=dt, mode=mode))
    out = np.zeros((2, 3))
    assert pf.generic_filter1d(x, _line, 2, output=out) is out


def test_1d_low_level_callable(clib):
    ll = _ll(clib, "line_diff")
    x = _data((40, 33), np.int16)
    for mode in MODES:
        for axis in (0, 1):
            a = pf.generic_filter1d(x, ll, 5, axis=axis, mode=mode, origin=1,
                                    output=np.float64, workers=1)
            _same(a, sp.generic_filter1d(x, ll, 5, axis=axis, mode=mode, origin=1,
                                         output=np.float64))
            assert a.tobytes() == pf.generic_filter1d(
                x, ll, 5, axis=axis, mode=mode, origin=1, output=np.float64,
                workers=2).tobytes()


def test_1d_errors():
    x = np.arange(12.0).reshape(3, 4)
    g = _line
    for kw in (dict(function=3, filter_size=2), dict(function=g, filter_size=0),
               dict(function=g, filter_size=3, origin=2), dict(function=g, filter_size=3, axis=2),
               dict(function=g, filter_size=2.0), dict(function=g, filter_size=2, mode="x")):
        with pytest.raises(Exception) as e2:
            sp.generic_filter1d(x, **kw)
        with pytest.raises(type(e2.value)):
            pf.generic_filter1d(x, **kw)
    with pytest.raises(np.exceptions.AxisError):
        pf.generic_filter1d(np.float64(3), g, 1)
    with pytest.raises(ZeroDivisionError):
        pf.generic_filter1d(x, lambda i, o: 1 / 0, 2)
