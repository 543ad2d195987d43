"""pyfilter.ndimage morphology against scipy.ndimage (exact equality)."""
import warnings

import numpy as np
import pytest
import scipy.ndimage as sndi

from pyfilter import ndimage as pndi
from pyfilter._common.errors import ArgumentError

DTYPES = [np.bool_, np.uint8, np.uint16, np.int32, np.float32, np.float64]
MODES = ["reflect", "constant", "nearest", "mirror", "wrap", "grid-constant",
         "grid-mirror", "grid-wrap"]
GREY = ["grey_erosion", "grey_dilation", "grey_opening", "grey_closing",
        "morphological_gradient", "morphological_laplace", "white_tophat", "black_tophat"]
BINARY = ["binary_erosion", "binary_dilation", "binary_opening", "binary_closing"]
SHAPES = {1: (13,), 2: (7, 9), 3: (4, 5, 6)}


def _img(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if np.dtype(dtype).kind == "f":
        return (rng.standard_normal(shape) * 50).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -1000), min(info.max, 1000), shape).astype(dtype)


def _both(name, *args, **kw):
    """(pyfilter result or exception, scipy result or exception)."""
    out = []
    for mod in (pndi, sndi):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append(getattr(mod, name)(*args, **kw))
        except Exception as exc:  # noqa: BLE001
            out.append(exc)
    return out


def _check(name, *args, **kw):
    a, s = _both(name, *args, **kw)
    if isinstance(s, Exception):
        assert isinstance(a, type(s)) or isinstance(a, Exception), (a, s)
        if isinstance(s, TypeError):
            assert isinstance(a, TypeError), (a, s)
        return None
    assert not isinstance(a, Exception), (name, kw, a)
    assert a.dtype == s.dtype, (a.dtype, s.dtype)
    assert a.shape == s.shape
    np.testing.assert_array_equal(a, s)
    return a


# ---------------------------------------------------------------- grey
@pytest.mark.parametrize("name", GREY)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_grey_size_dtypes(name, dtype, ndim):
    x = _img(dtype, SHAPES[ndim], ndim)
    x0 = x.copy()
    for size in (3, 2, [4, 1, 3][:ndim]):
        _check(name, x, size=size)
    _check(name, x, size=3, mode="constant", cval=7)
    np.testing.assert_array_equal(x, x0)


@pytest.mark.parametrize("name", GREY)
@pytest.mark.parametrize("mode", MODES)
def test_grey_modes_footprints(name, mode):
    x = _img(np.int32, (8, 9), 3)
    fps = [np.array([[1, 0, 0], [1, 1, 0]], bool),          # asymmetric, even rows
           np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]]),
           np.ones((2, 4), bool)]
    for fp in fps:
        _check(name, x, footprint=fp, mode=mode, cval=-5)
    _check(name, x, size=(2, 3), mode=mode, cval=3.5)
    _check(name, x.astype(np.float32), size=(3, 2), mode=mode, cval=1.5)


@pytest.mark.parametrize("name", GREY)
def test_grey_origins(name):
    x = _img(np.float64, (7, 8), 4)
    fp = np.array([[1, 1, 0, 1], [0, 1, 1, 0], [1, 0, 0, 0]], bool)
    for origin in (0, 1, -1, (1, -2), (-1, 1)):
        _check(name, x, footprint=fp, origin=origin)
        _check(name, x, size=(3, 4), origin=origin)
        _check(name, x, size=(2, 2), origin=origin, mode="constant")


@pytest.mark.parametrize("name", GREY)
def test_grey_axes(name):
    x = _img(np.uint8, (5, 6, 7), 5)
    fp = np.array([[1, 0, 1], [1, 1, 0]], bool)
    for axes in ((0, 2), (2, 0), (1,), (-1, 0, 1)):
        k = len(axes)
        _check(name, x, size=[3, 2, 4][:k], axes=axes, origin=[0, -1, 1][:k])
        _check(name, x, size=2, axes=axes, mode=["nearest", "wrap", "mirror"][:k])
        if k == 2:
            _check(name, x, footprint=fp, axes=axes, origin=(1, 0))
            _check(name, x, footprint=np.ones((2, 3)), axes=axes, origin=(-1, 1))


@pytest.mark.parametrize("name", GREY)
def test_grey_zero_structure(name):
    x = _img(np.int32, (6, 7), 6)
    _check(name, x, structure=np.zeros((3, 2)))
    _check(name, x, structure=np.zeros((2, 3)), mode="constant", cval=300)
    _check(name, x.astype(np.uint8), structure=np.zeros((3, 3)), mode="constant", cval=300)
    _check(name, x, footprint=[[1, 0], [1, 1]], structure=np.zeros((2, 2)), origin=(0, -1))
    _check(name, x, size=5, structure=np.zeros((3, 3)))


@pytest.mark.parametrize("name", GREY)
def test_grey_output(name):
    x = _img(np.uint8, (6, 7), 7)
    for dt in (np.uint8, np.int32, np.float64):
        a = np.zeros(x.shape, dt)
        s = np.zeros(x.shape, dt)
        r1, r2 = _both(name, x, size=(3, 2), output=a), None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                r2 = getattr(sndi, name)(x, size=(3, 2), output=s)
            except Exception as exc:  # noqa: BLE001
                r2 = exc
        r1 = r1[0]
        if isinstance(r2, Exception):
            assert isinstance(r1, type(r2)) or isinstance(r1, TypeError)
            continue
        np.testing.assert_array_equal(r1, r2)
        np.testing.assert_array_equal(a, s)
        assert r1.dtype == r2.dtype
        _check(name, x, size=(3, 2), output=dt)
    _check(name, x.astype(np.float64), size=3, output=np.zeros(x.shape, np.int32))


@pytest.mark.parametrize("name", GREY)
def test_grey_workers(name):
    x = _img(np.float32, (40, 50), 8)
    fp = np.array([[1, 0, 1], [0, 1, 1]], bool)
    a = getattr(pndi, name)(x, footprint=fp, workers=1)
    b = getattr(pndi, name)(x, footprint=fp, workers=2)
    c = getattr(pndi, name)(x, footprint=fp, workers=2)
    assert a.tobytes() == b.tobytes() == c.tobytes()


def test_grey_errors():
    x = _img(np.float64, (5, 6))
    with pytest.raises(ValueError, match="structure has shape"):
        pndi.grey_dilation(x, footprint=np.ones((3, 3)), structure=np.ones((2, 3)))
    with pytest.raises(ValueError, match="mode"):
        pndi.grey_erosion(x, structure=np.ones((3, 3)), mode=["reflect", "wrap"])
    with pytest.raises(ValueError, match="size, footprint, or structure"):
        pndi.grey_erosion(x)
    with pytest.raises(TypeError, match="complex"):
        pndi.grey_erosion(x.astype(complex), size=3)
    with pytest.raises(RuntimeError, match="footprint"):
        pndi.grey_erosion(x, footprint=np.ones(3))
    with pytest.raises(ValueError, match="footprint"):
        pndi.grey_dilation(x, footprint=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="structure"):
        pndi.grey_dilation(x, structure=np.zeros((0, 3)))
    with pytest.raises(RuntimeError, match="structure"):
        pndi.grey_dilation(x, structure=np.zeros(3))
    with pytest.raises(ValueError, match="origin"):
        pndi.grey_dilation(x, size=3, origin=2)
    with pytest.raises(ValueError, match="size"):
        pndi.grey_opening(x, size=0)
    with pytest.raises(RuntimeError, match="mode"):
        pndi.grey_dilation(x, structure=np.zeros((3, 3)), mode=["wrap", "nearest"])
    with pytest.raises(ValueError, match="mode"):
        pndi.grey_closing(x, size=3, mode="bogus")
    with pytest.raises(RuntimeError, match="output"):
        pndi.grey_erosion(x, size=3, output=np.zeros((2, 2)))
    with pytest.raises(TypeError):        # numpy's boolean subtract, as in scipy
        pndi.morphological_gradient(x > 0, size=3)
    with pytest.warns(UserWarning, match="ignoring size"):
        pndi.grey_opening(x, size=3, footprint=np.ones((2, 2)))


# ---------------------------------------------------------------- binary
STRUCTS = {1: [None, [1, 1, 0], [1, 0, 1, 1]],
           2: [None, np.ones((3, 3)), [[0, 1], [1, 1]], [[1, 0, 0], [0, 1, 1]]],
           3: [None, np.ones((2, 1, 3))]}


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_binary_structures_iterations(name, dtype, ndim):
    x = _img(dtype, SHAPES[ndim], 10 + ndim)
    x0 = x.copy()
    for st in STRUCTS[ndim]:
        for it in (1, 2):
            _check(name, x, structure=st, iterations=it)
    np.testing.assert_array_equal(x, x0)


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("iterations", [1, 2, 0, -1])
@pytest.mark.parametrize("border_value", [0, 1])
def test_binary_mask_border(name, iterations, border_value):
    rng = np.random.default_rng(20)
    x = rng.random((9, 11)) < 0.6
    mask = rng.random(x.shape) < 0.7
    m0 = mask.copy()
    for st in (None, np.ones((3, 3)), [[0, 1, 0], [1, 1, 1]]):
        for m in (None, mask):
            _check(name, x, structure=st, iterations=iterations, mask=m,
                   border_value=border_value)
            _check(name, x, structure=st, iterations=iterations, mask=m,
                   border_value=border_value, brute_force=True)
    np.testing.assert_array_equal(mask, m0)


@pytest.mark.parametrize("name", BINARY)
def test_binary_origin_axes(name):
    rng = np.random.default_rng(21)
    x = rng.random((6, 7, 8)) < 0.55
    st = np.array([[1, 1, 0, 1], [0, 1, 1, 1]], bool)
    for origin in (0, (0, -2), (-1, 1), (0, 1), -1):
        _check(name, x[0], structure=st, origin=origin)
        _check(name, x[0], structure=st, origin=origin, iterations=2, border_value=1)
    for axes, origin in (((0, 2), (-1, 1)), ((2, 0), (1, -1)), ((-1, 1), (1, -1))):
        _check(name, x, structure=st, axes=axes, origin=origin)
        _check(name, x, axes=axes, iterations=2)
    _check(name, x, axes=(1,), structure=[1, 1], origin=-1)


@pytest.mark.parametrize("name", BINARY)
def test_binary_output(name):
    rng = np.random.default_rng(22)
    x = rng.random((7, 8)) < 0.5
    for dt in (np.bool_, np.uint8, np.int32, np.float64):
        for it in (1, 2):
            a = np.full(x.shape, 5, dt)
            s = np.full(x.shape, 5, dt)
            r = pndi.__dict__[name](x, iterations=it, output=a)
            t = getattr(sndi, name)(x, iterations=it, output=s)
            assert r is a
            np.testing.assert_array_equal(a, s)
            np.testing.assert_array_equal(r, t)
        _check(name, x, output=dt)            # a dtype is ignored (bool), as in scipy


@pytest.mark.parametrize("name", BINARY)
def test_binary_workers_and_empty_structure(name):
    rng = np.random.default_rng(23)
    x = rng.random((60, 70)) < 0.5
    a = getattr(pndi, name)(x, structure=np.ones((3, 4)), iterations=2, workers=1)
    b = getattr(pndi, name)(x, structure=np.ones((3, 4)), iterations=2, workers=2)
    assert a.tobytes() == b.tobytes()
    _check(name, x[:5, :6], structure=np.zeros((3, 3)))
    _check(name, x[:5, :6], structure=np.zeros((3, 3)), mask=x[5:10, :6], iterations=2)


def test_binary_errors():
    x = np.zeros((5, 6), bool)
    with pytest.raises(TypeError, match="iterations"):
        pndi.binary_erosion(x, iterations=1.5)
    with pytest.raises(TypeError, match="border_value"):
        pndi.binary_dilation(x, border_value=0.5)
    with pytest.raises(RuntimeError, match="mask"):
        pndi.binary_erosion(x, mask=np.ones((3, 3)))
    with pytest.raises(RuntimeError, match="structure"):
        pndi.binary_erosion(x, structure=np.ones(3))
    with pytest.raises(RuntimeError, match="structure"):
        pndi.binary_dilation(x, structure=np.ones((0, 3)))
    with pytest.raises(TypeError, match="structure"):
        pndi.binary_dilation(x, structure=np.array([["a"]]))
    with pytest.raises(TypeError, match="complex"):
        pndi.binary_erosion(x.astype(complex))
    with pytest.raises(TypeError, match="output"):
        pndi.binary_opening(x, output=np.zeros(x.shape, complex))
    with pytest.raises(RuntimeError, match="output"):
        pndi.binary_closing(x, output=np.zeros((2, 2), bool))
    with pytest.raises(ValueError, match="origin"):
        pndi.binary_erosion(x, origin=2)
    with pytest.raises(ArgumentError, match="origin"):
        pndi.binary_dilation(x, origin=(0, -2))
    with pytest.raises(np.exceptions.AxisError):
        pndi.binary_erosion(x, axes=(3,))


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("mode", ["reflect", "constant", "nearest", "mirror", "wrap"])
def test_non_flat_structures(dtype, mode):
    # scipy: max(x + s) for dilation (s and the footprint reflected), min(x - s)
    # for erosion, in float64, stored with its N-D cast
    rng = np.random.default_rng(21)
    x = _img(dtype, (11, 13))
    st = rng.integers(-3, 4, (3, 4)).astype(np.float64)
    st2 = rng.random((3, 3)) * 5
    fp = rng.random((3, 4)) > 0.3
    fp[0, 0] = True
    for f in ("grey_dilation", "grey_erosion", "grey_opening", "grey_closing",
              "morphological_gradient", "morphological_laplace", "white_tophat",
              "black_tophat"):
        for kw in ({"structure": st}, {"structure": st2, "origin": (1, -1)},
                   {"structure": st, "footprint": fp}, {"structure": np.zeros((2, 5))}):
            with np.errstate(all="ignore"):
                ref = getattr(sndi, f)(x, mode=mode, cval=2.5, **kw)
            got = getattr(pndi, f)(x, mode=mode, cval=2.5, **kw)
            np.testing.assert_array_equal(got, ref, err_msg=f"{f} {kw.keys()}")
    v = _img(dtype, (6, 7, 8))
    st3 = rng.integers(0, 3, (3, 3)).astype(np.float64)
    for f in ("grey_dilation", "grey_erosion"):
        np.testing.assert_array_equal(getattr(pndi, f)(v, structure=st3, axes=(0, 2), mode=mode),
                                      getattr(sndi, f)(v, structure=st3, axes=(0, 2), mode=mode))
        out = np.empty(v.shape, np.float64)
        getattr(pndi, f)(v, structure=st3, axes=(2, 1), output=out)
        np.testing.assert_array_equal(out, getattr(sndi, f)(v, structure=st3, axes=(2, 1),
                                                           output=np.float64))


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint16, np.int64])
def test_non_flat_structures_more_dtypes(dtype):
    rng = np.random.default_rng(8)
    if dtype == np.bool_:
        x = rng.random((9, 10)) > 0.5
    else:
        x = rng.integers(-100 if np.dtype(dtype).kind == "i" else 0, 120, (9, 10)).astype(dtype)
    for st in (rng.integers(-2, 3, (3, 3)).astype(float), rng.random((2, 3)) * 3 - 1):
        # bool: scipy's opening and closing feed the raw bytes of the first
        # step (2, 255) into the second; pyfilter's steps hold valid bools
        fs = ("grey_dilation", "grey_erosion") if dtype == np.bool_ else (
            "grey_dilation", "grey_erosion", "grey_opening", "grey_closing")
        for f in fs:
            for mode in ("reflect", "constant"):
                with np.errstate(all="ignore"):
                    ref = getattr(sndi, f)(x, structure=st, mode=mode, cval=1)
                got = getattr(pndi, f)(x, structure=st, mode=mode, cval=1)
                if dtype == np.bool_:
                    # scipy stores raw bytes (2, 255) in bool outputs; pyfilter
                    # their truth value (docs/semantics.md, section 6)
                    ref = ref.view(np.uint8) != 0
                np.testing.assert_array_equal(got, ref, err_msg=f)
