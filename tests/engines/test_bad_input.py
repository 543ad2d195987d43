"""Bad input: a ValueError or TypeError naming the parameter and the value."""
import numpy as np
import pytest

from pyfilter import filters
from pyfilter import ndimage as pnd

X = np.arange(30.0).reshape(5, 6)
W = np.ones((3, 3))


@pytest.mark.parametrize("func", [pnd.correlate, pnd.convolve])
def test_nd_errors(func):
    with pytest.raises(ValueError, match=r"weights has 1 dimension.*\(3,\)"):
        func(X, np.ones(3))
    with pytest.raises(ValueError, match=r"weights has 2 dimension.*one per filtered axis \(1\)"):
        func(X, W, axes=(0,))
    with pytest.raises(ValueError, match=r"weights is empty"):
        func(X, np.ones((0, 3)))
    with pytest.raises(ValueError, match=r"weights is empty"):
        func(X, [])
    with pytest.raises(ValueError, match=r"mode='foo' is not a boundary mode"):
        func(X, W, mode="foo")
    with pytest.raises(ValueError, match=r"mode must be a single mode name.*'reflect', 'wrap'"):
        func(X, W, mode=["reflect", "wrap"])
    with pytest.raises(TypeError, match=r"mode must be a string.*3"):
        func(X, W, mode=3)
    with pytest.raises(ValueError, match=r"origin=2 is invalid for a kernel of length 3"):
        func(X, W, origin=2)
    with pytest.raises(ValueError, match=r"origin=-2 is invalid"):
        func(X, W, origin=(0, -2))
    with pytest.raises(ValueError, match=r"origin must be an integer or have one entry per"):
        func(X, W, origin=(0, 0, 0))
    with pytest.raises(TypeError, match=r"origin must be an integer, got 0.5"):
        func(X, W, origin=0.5)
    with pytest.raises(ValueError, match=r"output has shape \(5, 5\), but the result has shape \(5, 6\)"):
        func(X, W, output=np.zeros((5, 5)))
    with pytest.raises(TypeError, match=r"output has dtype float64, but the result is complex"):
        func(X, W + 1j, output=np.zeros((5, 6)))
    with pytest.raises(TypeError, match=r"output must be None, a dtype or an ndarray, got 'nope'"):
        func(X, W, output="nope")
    with pytest.raises(ValueError, match=r"axes must be unique"):
        func(np.ones((3, 4, 5)), W, axes=(1, 1))
    with pytest.raises(ValueError, match=r"axes entry 3 is out of range"):
        func(X, np.ones(3), axes=(3,))
    with pytest.raises(TypeError, match=r"cval must be a real number.*1j"):
        func(X, W, cval=1j)
    with pytest.raises(TypeError, match=r"cval must be a number, got 'a'"):
        func(X, W, cval="a")
    with pytest.raises(ValueError, match=r"output is read-only"):
        ro = np.zeros((5, 6))
        ro.setflags(write=False)
        func(X, W, output=ro)


@pytest.mark.parametrize("bad", [np.array(["a", "b"]), np.array([1, 2], dtype=object),
                                 np.array(["2020-01-01"], dtype="M8[D]"),
                                 np.array([1, 2], dtype="m8[s]"), np.ones(3, np.float16)])
def test_unsupported_dtypes(bad):
    with pytest.raises(TypeError, match=r"input has dtype .* which is not supported"):
        pnd.correlate(bad, [1.0])
    if bad.dtype != np.float16:  # scipy accepts float16 weights (and so do we)
        with pytest.raises(TypeError, match=r"weights has dtype .* which is not supported"):
            pnd.correlate(np.ones(2), bad)
    with pytest.raises(TypeError, match=r"image has dtype .* which is not supported"):
        filters.correlate(bad, [1.0])
    with pytest.raises(TypeError, match=r"output dtype .* is not supported"):
        pnd.correlate(np.ones(2), [1.0], output=bad.dtype)


def test_float16_weights_accepted_as_scipy():
    import scipy.ndimage as ndi
    x = np.arange(30.0).reshape(5, 6)
    for w in (np.array([[1, 2, 1], [0, 1, 0]], np.float16),
              np.array([[1, 2, 1], [0, 1, 0]], ">f2")):
        np.testing.assert_array_equal(pnd.correlate(x, w), ndi.correlate(x, w))
        np.testing.assert_array_equal(pnd.convolve(x, w), ndi.convolve(x, w))
    w1 = np.array([1, -2, 1], np.float16)
    np.testing.assert_array_equal(pnd.correlate1d(x, w1), ndi.correlate1d(x, w1))
    fp = np.array([[1, 0, 1]], np.float16)
    np.testing.assert_array_equal(pnd.maximum_filter(x, footprint=fp),
                                  ndi.maximum_filter(x, footprint=fp))


def test_0d_input():
    with pytest.raises(ValueError, match=r"input must have at least 1 dimension"):
        pnd.correlate(np.float64(3.0), [2.0])


@pytest.mark.parametrize("func", [pnd.correlate1d, pnd.convolve1d])
def test_1d_errors(func):
    with pytest.raises(ValueError, match=r"weights must be one-dimensional, got shape \(1, 2\)"):
        func(X, [[1, 1]])
    with pytest.raises(ValueError, match=r"weights is empty"):
        func(X, [])
    with pytest.raises(ValueError, match=r"axis=2 is out of range"):
        func(X, [1, 2], axis=2)
    with pytest.raises(TypeError, match=r"axis must be an integer, got 1.0"):
        func(X, [1, 2], axis=1.0)
    with pytest.raises(ValueError, match=r"origin=1 is invalid for a kernel of length 2"):
        func(X, [1, 2], origin=1)
    with pytest.raises(ValueError, match=r"mode='bogus'"):
        func(X, [1, 2], mode="bogus")


@pytest.mark.parametrize("func", [filters.correlate, filters.convolve])
def test_filters_errors(func):
    with pytest.raises(ValueError, match=r"shape must be one of .* got 'middle'"):
        func(X, W, shape="middle")
    with pytest.raises(ValueError, match=r"stride must be >= 1, got 0"):
        func(X, W, stride=0)
    with pytest.raises(ValueError, match=r"stride must be >= 1, got \(1, -1\)"):
        func(X, W, stride=(1, -1))
    with pytest.raises(ValueError, match=r"dilation must be >= 1, got 0"):
        func(X, W, dilation=0)
    with pytest.raises(TypeError, match=r"dilation must be an integer, got 1.5"):
        func(X, W, dilation=1.5)
    with pytest.raises(ValueError, match=r"channel_axis=2 is out of range"):
        func(X, np.ones(3), channel_axis=2)
    with pytest.raises(ValueError, match=r"kernel has 2 dimension.*spatial dimension"):
        func(X, W, channel_axis=0)
    with pytest.raises(ValueError, match=r"kernel length 7 > image length 5 along axis 0"):
        func(X, np.ones((7, 1)), shape="valid")
    with pytest.raises(ValueError, match=r"kernel length 7 > image length 6 along axis 1"):
        func(X, np.ones((1, 4)), shape="valid", dilation=2)
    with pytest.raises(ValueError, match=r"origin is only meaningful with shape='same'"):
        func(X, W, shape="valid", origin=1)
    with pytest.raises(ValueError, match=r"mode must be a single mode name"):
        func(X, W, mode=("wrap", "wrap"))


def test_errors_leave_arguments_untouched():
    x = X.copy()
    w = W.copy()
    out = np.full((5, 6), 3.0)
    with pytest.raises(ValueError):
        pnd.correlate(x, w, output=out, origin=5)
    with pytest.raises(ValueError):
        filters.correlate(x, w, output=out, stride=0)
    np.testing.assert_array_equal(x, X)
    np.testing.assert_array_equal(w, W)
    np.testing.assert_array_equal(out, 3.0)
