"""filters.median against skimage.filters.median (exact: a median is one of
the window's values)."""
import numpy as np
import pytest
import skimage.filters as sf
from skimage.morphology import disk, ball

from pyfilter import filters

RNG = np.random.default_rng(42)


def _img(shape, dtype):
    if np.dtype(dtype) == np.bool_:
        return RNG.random(shape) > 0.5
    if np.dtype(dtype).kind == "f":
        return RNG.random(shape).astype(dtype)
    return RNG.integers(0, 200, shape).astype(dtype)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int32, np.float32, np.float64,
                                   np.bool_])
@pytest.mark.parametrize("shape", [(31,), (23, 37), (9, 10, 11)])
def test_defaults_match_skimage(dtype, shape):
    x = _img(shape, dtype)
    got, ref = filters.median(x), sf.median(x)
    assert got.dtype == ref.dtype
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("mode", ["nearest", "reflect", "constant", "mirror", "wrap"])
def test_footprints_modes_cval_out(mode):
    x = _img((40, 45), np.uint8)
    for fp in (disk(1), disk(2), disk(3), np.ones((1, 5)), np.ones((2, 2))):
        np.testing.assert_array_equal(filters.median(x, fp, mode=mode, cval=7),
                                      sf.median(x, fp, mode=mode, cval=7))
    out = np.empty_like(x)
    r = filters.median(x, disk(2), out=out, mode=mode)
    assert r is out
    np.testing.assert_array_equal(out, sf.median(x, disk(2), mode=mode))
    v = _img((12, 13, 14), np.float32)
    np.testing.assert_array_equal(filters.median(v, ball(1), mode=mode),
                                  sf.median(v, ball(1), mode=mode))


def test_workers_bitwise_and_input_unchanged():
    x = _img((300, 301), np.float32)
    keep = x.copy()
    a = filters.median(x, disk(2), workers=1)
    b = filters.median(x, disk(2), workers=2)
    assert a.tobytes() == b.tobytes()
    np.testing.assert_array_equal(x, keep)


def test_bad_input():
    x = _img((10, 10), np.uint8)
    with pytest.raises(ValueError, match="behavior"):
        filters.median(x, behavior="fast")
    with pytest.raises(ValueError, match="footprint"):
        filters.median(x, np.ones(3))
    with pytest.raises(ValueError, match="mode"):
        filters.median(x, mode="edge")
    with pytest.raises(TypeError, match="complex"):
        filters.median(x + 1j)
    with pytest.raises(ValueError, match="out"):
        filters.median(x, out=np.empty((3, 3), np.uint8))


def test_behavior_rank_is_skimages_rank_median():
    from skimage.morphology import disk
    x = _img((30, 33), np.uint8)
    for fp in (None, disk(2)):
        np.testing.assert_array_equal(filters.median(x, fp, behavior="rank"),
                                      sf.median(x, fp, behavior="rank"))
    with pytest.warns(UserWarning, match="behavior"):
        got = filters.median(x, disk(1), mode="reflect", behavior="rank")
    with pytest.warns(UserWarning, match="behavior"):
        ref = sf.median(x, disk(1), mode="reflect", behavior="rank")
    np.testing.assert_array_equal(got, ref)
