"""Drop-in errors: where scipy.ndimage raises for a bad argument, pyfilter
raises an error that is an instance of scipy's class (so code written
against scipy, and scipy's own tests, catch it) and also a ValueError or
TypeError naming the parameter.  Where scipy accepts, pyfilter accepts and
agrees."""
import numpy as np
import pytest
import scipy.ndimage as ndi

from pyfilter import ndimage as pnd

X = np.arange(30.0).reshape(5, 6)
XC = X + 1j * X[::-1]
W = np.ones((3, 3))

CASES = {
    "correlate: mode sequence": lambda m: m.correlate(X, W, mode=["reflect", "wrap"]),
    "correlate: weights rank": lambda m: m.correlate(X, np.ones(3)),
    "correlate: weights rank with axes": lambda m: m.correlate(X, W, axes=(0,)),
    "correlate: origin length": lambda m: m.correlate(X, W, origin=[0, 0, 0]),
    "correlate: bad mode name": lambda m: m.correlate(X, W, mode="foo"),
    "correlate: mode not a string": lambda m: m.correlate(X, W, mode=3),
    "correlate: output shape": lambda m: m.correlate(X, W, output=np.empty((4, 4))),
    "correlate: empty weights": lambda m: m.correlate(X, np.ones((0, 3))),
    "correlate: float16 input": lambda m: m.correlate(X.astype(np.float16), W),
    "correlate: float16 output": lambda m: m.correlate(X, W, output=np.float16),
    "correlate: invalid origin": lambda m: m.correlate(X, W, origin=2),
    "correlate: duplicate axes": lambda m: m.correlate(X, W, axes=(0, 0)),
    "correlate: axis out of range": lambda m: m.correlate(X, np.ones(3), axes=(5,)),
    "correlate: complex cval, real input": lambda m: m.correlate(X, W, mode="constant",
                                                                 cval=1j),
    "correlate: complex cval, real input, unused": lambda m: m.correlate(X, W, cval=1j),
    "correlate: complex cval, complex weights": lambda m: m.correlate(
        X, W * 1j, mode="constant", cval=1j),
    "correlate1d: complex cval": lambda m: m.correlate1d(X, [1, 2], mode="constant",
                                                         cval=1j),
    "correlate1d: complex cval, complex weights": lambda m: m.correlate1d(
        X, np.ones(3) * 1j, mode="constant", cval=1j),
    "correlate1d: axis out of range": lambda m: m.correlate1d(X, [1, 2], axis=5),
    "correlate1d: 2-D weights": lambda m: m.correlate1d(X, np.ones((2, 2))),
    "uniform_filter: size length": lambda m: m.uniform_filter(X, size=[3, 3, 3]),
    "uniform_filter: origin length": lambda m: m.uniform_filter(X, origin=[0, 0, 0]),
    "uniform_filter: mode length": lambda m: m.uniform_filter(X, mode=["reflect"] * 3),
    "uniform_filter: float16 input": lambda m: m.uniform_filter(X.astype(np.float16)),
    "uniform_filter1d: complex cval": lambda m: m.uniform_filter1d(X, 3, mode="constant",
                                                                   cval=1j),
    "maximum_filter: footprint rank": lambda m: m.maximum_filter(X, footprint=np.ones(3)),
    "maximum_filter: size length": lambda m: m.maximum_filter(X, size=[3, 3, 3]),
    "maximum_filter: no size or footprint": lambda m: m.maximum_filter(X),
    "maximum_filter: all-False footprint": lambda m: m.maximum_filter(
        X, footprint=np.zeros((3, 3))),
    "maximum_filter: complex input": lambda m: m.maximum_filter(XC, 3),
    "maximum_filter: complex cval": lambda m: m.maximum_filter(X, 3, mode="constant",
                                                               cval=1j),
    "maximum_filter1d: complex cval": lambda m: m.maximum_filter1d(X, 3, cval=1j),
    "gaussian_filter: sigma length": lambda m: m.gaussian_filter(X, sigma=[1, 1, 1]),
    "gaussian_filter: mode length": lambda m: m.gaussian_filter(X, 1, mode=["reflect"] * 3),
    "gaussian_filter: order length": lambda m: m.gaussian_filter(X, 1, order=[1, 1, 1]),
    "gaussian_filter: complex cval": lambda m: m.gaussian_filter(X, 1, mode="constant",
                                                                 cval=1j),
    "gaussian_filter: float16 input": lambda m: m.gaussian_filter(X.astype(np.float16), 1),
    "sobel: axis out of range": lambda m: m.sobel(X, axis=4),
    "sobel: complex cval": lambda m: m.sobel(X, mode="constant", cval=1j),
    "laplace: complex cval": lambda m: m.laplace(X, mode="constant", cval=1j),
    "gaussian_laplace: complex cval": lambda m: m.gaussian_laplace(X, 1, mode="constant",
                                                                   cval=1j),
    "gaussian_gradient_magnitude: complex cval": lambda m: m.gaussian_gradient_magnitude(
        X, 1, mode="constant", cval=1j),
}

ACCEPTED = {
    "correlate: float16 weights": lambda m: m.correlate(X, W.astype(np.float16)),
    "correlate1d: float16 weights": lambda m: m.correlate1d(X, np.ones(3, np.float16)),
    "maximum_filter: float16 footprint": lambda m: m.maximum_filter(
        X, footprint=np.ones((3, 3), np.float16)),
    "correlate: complex cval, complex input": lambda m: m.correlate(
        XC, W, mode="constant", cval=1 + 2j),
    "gaussian_filter: complex cval, complex input": lambda m: m.gaussian_filter(
        XC, 1, mode="constant", cval=1 + 2j),
    "sobel: complex cval, complex input": lambda m: m.sobel(XC, mode="constant", cval=2j),
    "uniform_filter: complex cval, complex input": lambda m: m.uniform_filter(
        XC, 3, mode="constant", cval=2j),
}


def _scipy_error(call):
    try:
        call(ndi)
    except Exception as exc:  # the peer's class is the spec
        return type(exc)
    return None


@pytest.mark.parametrize("name", sorted(CASES))
def test_error_class_is_scipys(name):
    call = CASES[name]
    cls = _scipy_error(call)
    assert cls is not None, f"scipy accepts {name}: the case is wrong"
    with pytest.raises(cls) as info:
        call(pnd)
    assert isinstance(info.value, (ValueError, TypeError)), type(info.value).__mro__
    assert str(info.value)


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_accepted_like_scipy(name):
    call = ACCEPTED[name]
    ours, ref = call(pnd), call(ndi)
    assert ours.dtype == ref.dtype
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


def test_messages_name_the_parameter():
    with pytest.raises(RuntimeError, match=r"mode must be a single mode name"):
        pnd.correlate(X, W, mode=["reflect", "wrap"])
    with pytest.raises(RuntimeError, match=r"size must be an integer or have one entry"):
        pnd.uniform_filter(X, size=[3, 3, 3])
    with pytest.raises(RuntimeError, match=r"input has dtype float16"):
        pnd.correlate(X.astype(np.float16), W)
    with pytest.raises(TypeError, match=r"cval must be a real number.*1j"):
        pnd.correlate(X, W, cval=1j)
    with pytest.raises(IndexError, match=r"axis=4 is out of range"):
        pnd.sobel(X, axis=4)
