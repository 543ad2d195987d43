"""pyfilter.morphology against skimage.morphology 0.26 (exact equality:
erosion and dilation select values, the top-hats subtract them in the
same numpy calls)."""
import inspect
import typing
import warnings

import numpy as np
import pytest
import skimage.morphology as sm

from pyfilter import morphology as pm
from pyfilter._common import typing as T
from pyfilter.morphology import _gray

RNG = np.random.default_rng(7)
FUNCS = ["erosion", "dilation", "opening", "closing", "white_tophat", "black_tophat"]
DTYPES = [np.bool_, np.uint8, np.uint16, np.int16, np.float32, np.float64]


def _img(shape, dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return RNG.random(shape) > 0.5
    if dtype.kind == "f":
        return (RNG.random(shape) * 100 - 20).astype(dtype)
    if dtype.kind == "i":
        return RNG.integers(-100, 200, shape).astype(dtype)
    return RNG.integers(0, np.iinfo(dtype).max, shape, endpoint=True).astype(dtype)


def _sk(name, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(sm, name)(*args, **kwargs)


def _same(got, ref):
    assert got.dtype == ref.dtype
    assert got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)


def _rect(shape, **kw):
    # an even shape with decomposition='sequence' falls back (with a
    # warning) to 'separable': a sequence of even 1-D elements
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sm.footprint_rectangle(shape, **kw)


FP2 = {
    "default": None,
    "disk1": sm.disk(1),
    "disk3": sm.disk(3),
    "diamond2": sm.diamond(2),
    "rect3x5": _rect((3, 5)),
    "rect1x7": _rect((1, 7)),
    "even2x2": _rect((2, 2)),
    "even4x3": _rect((4, 3)),
    "asym": np.array([[1, 1, 0], [0, 1, 0], [0, 1, 1]], np.uint8),
    "asym_even": (RNG.random((4, 6)) > 0.4).astype(np.uint8),
    "random5": (RNG.random((5, 5)) > 0.5),
    "seq_rect": _rect((7, 5), decomposition="sequence"),
    "seq_rect_even": _rect((6, 4), decomposition="sequence"),
    "seq_disk": sm.disk(4, decomposition="sequence"),
    "seq_diamond": sm.diamond(3, decomposition="sequence"),
    "seq_mixed": ((np.ones((2, 3), np.uint8), 2), (np.array([[0, 1], [1, 1]]), 1),
                  (sm.disk(1), 0)),
    "seq_first_zero": ((sm.disk(1), 0), (np.ones((1, 3), bool), 2)),
}
FP3 = {
    "default": None,
    "ball1": sm.ball(1),
    "ball2": sm.ball(2),
    "cube3": _rect((3, 3, 3)),
    "even": _rect((2, 3, 4)),
    "asym": (RNG.random((3, 2, 3)) > 0.4),
    "seq_ball": sm.ball(3, decomposition="sequence"),
    "seq_rect": _rect((5, 3, 4), decomposition="sequence"),
}
for _fp in FP3.values():
    if isinstance(_fp, np.ndarray) and not _fp.any():
        _fp.flat[0] = True


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("fpname", list(FP2))
@pytest.mark.parametrize("name", FUNCS)
def test_2d_matches_skimage(name, fpname, dtype):
    x = _img((23, 30), dtype)
    keep = x.copy()
    fp = FP2[fpname]
    _same(getattr(pm, name)(x, fp), _sk(name, x, fp))
    np.testing.assert_array_equal(x, keep)


@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.float32], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("fpname", list(FP3))
@pytest.mark.parametrize("name", FUNCS)
def test_3d_matches_skimage(name, fpname, dtype):
    x = _img((9, 11, 10), dtype)
    fp = FP3[fpname]
    _same(getattr(pm, name)(x, fp), _sk(name, x, fp))


MODES = ["reflect", "constant", "nearest", "mirror", "wrap", "max", "min", "ignore"]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", FUNCS)
def test_modes_cval(name, mode, dtype):
    x = _img((17, 19), dtype)
    for fp in (None, sm.disk(2), _rect((3, 4)), FP2["asym"], FP2["seq_rect"]):
        for cval in (0.0, 3, 1000.5, -7):
            _same(getattr(pm, name)(x, fp, mode=mode, cval=cval),
                  _sk(name, x, fp, mode=mode, cval=cval))
            if mode != "constant":
                break


@pytest.mark.parametrize("mode", ["constant", "max", "ignore"])
@pytest.mark.parametrize("name", FUNCS)
def test_modes_3d(name, mode):
    x = _img((7, 8, 9), np.uint16)
    for fp in (sm.ball(1), FP3["even"], FP3["seq_ball"]):
        _same(getattr(pm, name)(x, fp, mode=mode, cval=300),
              _sk(name, x, fp, mode=mode, cval=300))


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("out_dtype", [None, np.uint8, np.int32, np.float64, np.bool_])
def test_out(name, out_dtype):
    x = _img((20, 21), np.uint8)
    for fp in (sm.disk(2), _rect((2, 4)), FP2["seq_mixed"]):
        dt = x.dtype if out_dtype is None else out_dtype
        ref_out = np.zeros(x.shape, dt)
        try:
            ref = _sk(name, x, fp, out=ref_out)
        except Exception as exc:       # numpy's casting rule in the top-hats
            with pytest.raises(type(exc)):
                getattr(pm, name)(x, fp, out=np.zeros(x.shape, dt))
            continue
        out = np.zeros(x.shape, dt)
        got = getattr(pm, name)(x, fp, out=out)
        assert got is out
        assert ref is ref_out
        _same(got, ref)


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.bool_],
                         ids=lambda d: np.dtype(d).name)
def test_out_is_image(name, dtype):
    x = _img((20, 21), dtype)
    for fp in (sm.disk(2), FP2["seq_rect"]):
        a, b = x.copy(), x.copy()
        got = getattr(pm, name)(a, fp, out=a)
        ref = _sk(name, b, fp, out=b)
        assert got is a
        _same(got, ref)


def test_float_out_for_integer_sequence():
    # later repetitions of a sequence run in out's dtype, 'max' keeps the
    # image dtype's extreme (scikit-image's rules)
    x = _img((25, 26), np.uint8)
    fp = sm.disk(3, decomposition="sequence")
    for name in ("erosion", "dilation", "opening", "closing"):
        for mode in ("max", "min", "ignore", "constant"):
            o1, o2 = np.zeros(x.shape, np.float32), np.zeros(x.shape, np.float32)
            _same(getattr(pm, name)(x, fp, out=o1, mode=mode, cval=-1.5),
                  _sk(name, x, fp, out=o2, mode=mode, cval=-1.5))


def test_layouts():
    x = _img((30, 40), np.float32)
    for v in (x.T, x[::2, ::3], np.asfortranarray(x)):
        for name in FUNCS:
            _same(getattr(pm, name)(v, sm.disk(2)), _sk(name, v, sm.disk(2)))


def test_1d_and_4d():
    x = _img((50,), np.int16)
    y = _img((4, 5, 6, 3), np.uint8)
    for name in FUNCS:
        _same(getattr(pm, name)(x), _sk(name, x))
        _same(getattr(pm, name)(x, np.ones(4)), _sk(name, x, np.ones(4)))
        _same(getattr(pm, name)(y), _sk(name, y))


def test_array_like_footprint_and_image():
    # nested lists are accepted (scikit-image asks for arrays)
    x = _img((10, 12), np.uint8)
    fp = [[0, 1, 0], [1, 1, 1], [1, 0, 0]]
    for name in FUNCS:
        _same(getattr(pm, name)(x.tolist(), fp), _sk(name, np.asarray(x.tolist()),
                                                     np.array(fp)))


@pytest.mark.parametrize("name", FUNCS)
def test_workers_bitwise_and_cache(name):
    x = _img((300, 257), np.float32)
    for fp in (sm.disk(3), _rect((5, 5)), FP2["seq_disk"]):
        a = getattr(pm, name)(x, fp, workers=1)
        b = getattr(pm, name)(x, fp, workers=2)
        c = getattr(pm, name)(x, fp, workers=2)
        assert a.tobytes() == b.tobytes() == c.tobytes()
        _same(a, _sk(name, x, fp))


def test_empty_image():
    x = np.zeros((0, 5), np.uint8)
    for name in FUNCS:
        _same(getattr(pm, name)(x), _sk(name, x))


# ---------------------------------------------------------------- signatures
def test_signatures_are_skimages():
    for name in FUNCS:
        ours = [(p.name, p.kind, p.default)
                for p in inspect.signature(getattr(pm, name)).parameters.values()
                if p.name != "workers"]
        theirs = [(p.name, p.kind, p.default)
                  for p in inspect.signature(getattr(sm, name)).parameters.values()]
        assert ours == theirs, name
        w = inspect.signature(getattr(pm, name)).parameters["workers"]
        assert w.kind is inspect.Parameter.KEYWORD_ONLY and w.default is None
    assert set(typing.get_args(T.MorphMode)) == set(_gray._MODES)
    assert pm.__all__ == FUNCS and dir(pm) == sorted(FUNCS)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("name", FUNCS)
def test_bad_input(name):
    f = getattr(pm, name)
    x = _img((8, 9), np.uint8)
    with pytest.raises(ValueError, match="mode='grid-wrap'"):
        f(x, mode="grid-wrap")
    with pytest.raises(ValueError, match="mode='bogus'"):
        f(x, mode="bogus")
    with pytest.raises(ValueError, match="footprint"):
        f(x, np.ones(3))
    with pytest.raises(ValueError, match="footprint"):
        f(x, np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"footprint\[1\]\[0\]"):
        f(x, ((np.ones((3, 3)), 1), (np.zeros((3, 3)), 1)))
    with pytest.raises(ValueError, match="out"):
        f(x, out=np.empty((8, 8), np.uint8))
    with pytest.raises(ValueError, match="out"):
        ro = np.empty_like(x)
        ro.flags.writeable = False
        f(x, out=ro)
    with pytest.raises(TypeError, match="out"):
        f(x, out=[[0] * 9] * 8)
    with pytest.raises(TypeError, match="out"):
        f(x, out=np.empty(x.shape, np.complex128))
    with pytest.raises(TypeError, match="image"):
        f(x.astype(np.complex64))
    with pytest.raises(TypeError, match="image"):
        f(x.astype(object))
    with pytest.raises(ValueError, match="image"):
        f(np.array(3.0))
    with pytest.raises(TypeError, match="cval"):
        f(x, mode="constant", cval="a")
    with pytest.raises(ValueError, match="cval"):
        f(x, mode="constant", cval=1j)


def test_halo():
    from pyfilter._ops.halo import halo
    assert halo(pm.erosion, (40, 37), sm.disk(2)) == ((2, 2), (2, 2))
    assert halo(pm.dilation, (40, 37), np.ones((2, 4))) == ((0, 1), (1, 2))
    # several steps: no single plan to ask
    assert halo(pm.opening, (40, 37), sm.disk(2)) is None
    assert halo(pm.erosion, (40, 37), FP2["seq_rect"]) is None
