"""Property tests against scipy.ndimage on random shapes, kernels, modes."""
import numpy as np
from hypothesis import given, settings, strategies as st
import scipy.ndimage as ndi

from pyfilter import filters
from pyfilter import ndimage as pnd

from tests.helpers import MODES
from tests.helpers import correlate_reference as reference

DTYPES = [np.float64, np.float32, np.int16, np.uint8, np.int64]


@st.composite
def problems(draw):
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(1, 9), min_size=ndim, max_size=ndim)))
    kshape = tuple(draw(st.lists(st.integers(1, 6), min_size=ndim, max_size=ndim)))
    origin = tuple(draw(st.integers(-(k // 2), (k - 1) // 2)) for k in kshape)
    mode = draw(st.sampled_from(MODES))
    dtype = draw(st.sampled_from(DTYPES))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 20).astype(dtype)
    w = np.round(rng.standard_normal(kshape), 3)
    cval = draw(st.floats(-5, 5))
    workers = draw(st.sampled_from([1, 2, 3]))
    return x, w, origin, mode, cval, workers


def _check(ours, ref, dtype, ref_f64=None):
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    if ref.dtype.kind in "iu":
        # Exact, except where the float64 sum lies within rounding of an
        # integer (summation order / FMA may put it on either side before
        # truncation).
        near = np.abs(ref_f64 - np.round(ref_f64)) < 1e-9 * np.maximum(1, np.abs(ref_f64))
        np.testing.assert_array_equal(ours[~near], ref[~near])
    elif ref.dtype == np.float32:
        np.testing.assert_allclose(ours, ref, rtol=1e-4, atol=1e-4)
    else:
        np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-10)


@settings(max_examples=150, deadline=None)
@given(problems())
def test_correlate_convolve_property(p):
    x, w, origin, mode, cval, workers = p
    for name in ("correlate", "convolve"):
        kw = dict(mode=mode, origin=origin, cval=cval)
        _check(getattr(pnd, name)(x, w, workers=workers, **kw), getattr(ndi, name)(x, w, **kw),
               x.dtype, getattr(ndi, name)(x, w, output=np.float64, **kw))


@settings(max_examples=100, deadline=None)
@given(problems(), st.integers(0, 2))
def test_correlate1d_property(p, axis_pick):
    x, w, origin, mode, cval, workers = p
    axis = axis_pick % x.ndim
    w1 = w.ravel()[:5]
    o = max(-(len(w1) // 2), min(origin[0], (len(w1) - 1) // 2))
    for name in ("correlate1d", "convolve1d"):
        kw = dict(axis=axis, mode=mode, origin=o, cval=cval)
        _check(getattr(pnd, name)(x, w1, workers=workers, **kw),
               getattr(ndi, name)(x, w1, **kw), x.dtype,
               getattr(ndi, name)(x, w1, output=np.float64, **kw))


@settings(max_examples=100, deadline=None)
@given(problems(), st.sampled_from(["same", "valid", "full"]), st.integers(1, 3), st.integers(1, 3))
def test_filters_shape_stride_dilation_property(p, shape, stride, dilation):
    x, w, origin, mode, cval, workers = p
    x = x.astype(np.float64)
    if shape == "valid" and any(n < dilation * (k - 1) + 1 for n, k in zip(x.shape, w.shape)):
        return
    ours = filters.correlate(x, w, shape=shape, stride=stride, dilation=dilation, mode=mode,
                             cval=cval, workers=workers)
    ref = reference(x, w, shape, stride, dilation, mode, cval)
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-10)
