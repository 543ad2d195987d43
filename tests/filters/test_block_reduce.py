"""filters.block_reduce against skimage.measure.block_reduce."""
import numpy as np
import pytest
from skimage.measure import block_reduce as sk_block_reduce

from pyfilter import filters

DTYPES = [np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32,
          np.int64, np.float32, np.float64]
FUNCS = [np.max, np.min, np.mean, np.sum, np.amax, np.median]


def _data(rng, shape, dtype):
    if dtype == np.bool_:
        return rng.random(shape) > 0.5
    if np.dtype(dtype).kind in "iu":
        lo = 0 if np.dtype(dtype).kind == "u" else -100
        return rng.integers(lo, 100, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _check(ours, ref, dtype):
    assert ours.dtype == ref.dtype
    assert ours.shape == ref.shape
    if ref.dtype.kind == "f" and np.dtype(dtype).kind == "f":
        tol = 2e-6 if ref.dtype == np.float32 else 1e-12
        np.testing.assert_allclose(ours, ref, rtol=tol, atol=tol)
    else:
        np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("func", FUNCS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("shape", [(7,), (8, 9), (5, 6, 7)])
def test_matches_skimage(rng, dtype, func, shape):
    x = _data(rng, shape, dtype)
    for block in (1, 2, 3, tuple(int(v) for v in rng.integers(1, 5, len(shape)))):
        for cval in (0, 3):
            _check(filters.block_reduce(x, block, func, cval),
                   sk_block_reduce(x, block, func, cval), dtype)


def test_pooling_shape_and_nan(rng):
    x = rng.standard_normal((1, 8, 64, 66)).astype(np.float32)
    x[0, 1, 5, 5] = np.nan
    for func in (np.max, np.mean, np.min, np.sum):
        _check(filters.block_reduce(x, (1, 1, 2, 3), func),
               sk_block_reduce(x, (1, 1, 2, 3), func), np.float32)


def test_func_kwargs_and_other_callables(rng):
    x = rng.integers(0, 255, (9, 10)).astype(np.uint8)
    _check(filters.block_reduce(x, 2, np.mean, func_kwargs={"dtype": np.float32}),
           sk_block_reduce(x, 2, np.mean, func_kwargs={"dtype": np.float32}), np.float32)
    _check(filters.block_reduce(x, (3, 2), np.ptp), sk_block_reduce(x, (3, 2), np.ptp), np.uint8)
    _check(filters.block_reduce(x, 4, lambda a, axis: a.std(axis=axis)),
           sk_block_reduce(x, 4, lambda a, axis: a.std(axis=axis)), np.float64)


def test_large_blocks_and_non_contiguous(rng):
    x = rng.standard_normal((50, 70))
    for view in (x.T, x[::2, ::3], x[:, ::-1]):
        for func in (np.max, np.mean):
            _check(filters.block_reduce(view, (16, 9), func, cval=-2.0),
                   sk_block_reduce(view, (16, 9), func, cval=-2.0), np.float64)


def test_cval_cast_like_np_pad(rng):
    x = rng.integers(0, 255, (5, 5)).astype(np.uint8)
    _check(filters.block_reduce(x, 2, np.min, cval=2.7), sk_block_reduce(x, 2, np.min, cval=2.7),
           np.uint8)


def test_workers_agnostic(rng):
    x = rng.standard_normal((2, 16, 128, 130)).astype(np.float32)
    for func in (np.max, np.mean):
        ref = filters.block_reduce(x, (1, 1, 3, 2), func, workers=1)
        for w in (2, 3):
            np.testing.assert_array_equal(filters.block_reduce(x, (1, 1, 3, 2), func, workers=w),
                                          ref)


@pytest.mark.parametrize("block", [(2,), (2, 2, 2), (0, 2), (2, -1), 0])
def test_bad_block_size(block):
    with pytest.raises(ValueError, match="block_size"):
        filters.block_reduce(np.ones((4, 4)), block)


def test_func_not_callable():
    with pytest.raises(TypeError, match="func"):
        filters.block_reduce(np.ones((4, 4)), 2, func="max")


def test_cached_calls_give_the_fresh_answers(rng):
    from pyfilter.filters import _blocks
    _blocks._CACHE.clear()
    for _ in range(3):
        x = _data(rng, (9, 10), np.uint8)
        for func in (np.max, np.amax, np.min, np.mean, np.sum):
            for block, cval in (((2, 3), 0), ((2, 3), 7), ((2, 3), 7.0), (4, 0), (4, True)):
                _check(filters.block_reduce(x, block, func, cval),
                       sk_block_reduce(x, block, func, cval), np.uint8)
        # the generic path of a fast function (complex data) is cached too
        z = x + 1j
        _check(filters.block_reduce(z, 2, np.max), sk_block_reduce(z, 2, np.max), np.complex128)
    assert 0 < len(_blocks._CACHE) <= 64


def test_bad_input_raises_the_same_error_twice():
    for _ in range(2):
        with pytest.raises(ValueError, match="block_size"):
            filters.block_reduce(np.ones((4, 4)), (2, 0), np.max)
        with pytest.raises(TypeError, match="workers"):
            filters.block_reduce(np.ones((4, 4)), 2, np.max, workers="two")
