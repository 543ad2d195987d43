"""Bad inputs to the separable filters, the scikit-image style edge and
smoothing functions, the kernels and correlate's methods: a ValueError or
TypeError that names the parameter (and shows the value received); never a
crash or a silent wrong answer, and the caller's arrays are left alone."""
import numpy as np
import pytest

from pyfilter import filters, kernels
from pyfilter import ndimage as pnd

X = np.arange(64, dtype=np.float64).reshape(8, 8)


@pytest.mark.parametrize("call", [
    lambda: pnd.gaussian_filter(X, -1.0),
    lambda: pnd.gaussian_filter(X, (1.0, -0.5)),
    lambda: pnd.gaussian_filter1d(X, -2.0),
    lambda: pnd.gaussian_laplace(X, -1.0),
    lambda: pnd.gaussian_gradient_magnitude(X, -1.0),
    lambda: filters.gaussian(X, -1.0),
    lambda: filters.difference_of_gaussians(X, -1.0),
    lambda: kernels.gaussian1d(-1.0),
    lambda: pnd.gaussian_filter(X, float("nan")),
])
def test_negative_sigma(call):
    with pytest.raises(ValueError, match="sigma.*-|sigma.*nan"):
        call()


@pytest.mark.parametrize("call", [
    lambda: pnd.gaussian_filter(X, 1.0, truncate=-1.0),
    lambda: pnd.gaussian_filter1d(X, 1.0, truncate=-0.5),
    lambda: pnd.gaussian_laplace(X, 1.0, truncate=-3),
    lambda: filters.gaussian(X, 1.0, truncate=-4.0),
    lambda: kernels.gaussian1d(1.0, truncate=-1.0),
])
def test_negative_truncate(call):
    with pytest.raises(ValueError, match="truncate"):
        call()


@pytest.mark.parametrize("call", [
    lambda: pnd.gaussian_filter(X, 1.0, order=4),
    lambda: pnd.gaussian_filter(X, 1.0, order=(0, -1)),
    lambda: pnd.gaussian_filter1d(X, 1.0, order=5),
    lambda: kernels.gaussian1d(1.0, order=-1),
])
def test_order_out_of_range(call):
    with pytest.raises(ValueError, match="order"):
        call()


def test_derivative_wrong_shape():
    def bad(input, axis, output, mode, cval):
        return np.zeros((3, 3))

    def bad_first(input, axis, output, mode, cval):
        if isinstance(output, np.ndarray):
            output[...] = 0
            return np.zeros(5)
        return np.zeros(input.shape)

    def none_later(input, axis, output, mode, cval):
        if isinstance(output, np.ndarray):
            output[...] = 1
            return output
        return None
    for f in (pnd.generic_gradient_magnitude, pnd.generic_laplace):
        for d in (bad, bad_first, none_later):
            with pytest.raises(ValueError, match=r"derivative.*shape|derivative.*\(8, 8\)"):
                f(X, d)
        with pytest.raises(TypeError, match="derivative"):
            f(X, "sobel")


@pytest.mark.parametrize("op", ["sobel", "scharr", "prewitt", "farid", "laplace"])
def test_mask_shape(op):
    with pytest.raises(ValueError, match=r"mask.*\(7, 8\)"):
        getattr(filters, op)(X, mask=np.ones((7, 8), bool))
    img = np.zeros((8, 8, 3))
    with pytest.raises(ValueError, match="mask"):
        getattr(filters, op)(img, mask=np.ones((8, 8, 3), bool), channel_axis=-1)
    if op != "laplace":
        with pytest.raises(ValueError, match="mask"):
            getattr(filters, op + "_h")(X, mask=np.ones((8, 9)))


@pytest.mark.parametrize("call", [
    lambda: pnd.sobel(X, axis=2),
    lambda: pnd.prewitt(X, axis=-3),
    lambda: pnd.uniform_filter1d(X, 3, axis=5),
    lambda: pnd.gaussian_filter1d(X, 1.0, axis=2),
    lambda: pnd.gaussian_filter(X, 1.0, axes=(0, 2)),
    lambda: pnd.laplace(X, axes=(3,)),
    lambda: filters.sobel(X, axis=2),
    lambda: filters.farid(X, axis=(0, 7)),
    lambda: kernels.sobel(2, axis=2),
    lambda: filters.gaussian(X, channel_axis=2),
])
def test_axis_out_of_range(call):
    with pytest.raises(ValueError, match="axis|axes"):
        call()


def test_axis_is_channel_axis():
    with pytest.raises(ValueError, match="channel"):
        filters.sobel(np.zeros((5, 5, 3)), axis=2, channel_axis=-1)


def test_method_name():
    for f in (pnd.correlate, pnd.convolve):
        with pytest.raises(ValueError, match="method.*'fast'"):
            f(X, np.ones((3, 3)), method="fast")
    for f in (filters.correlate, filters.convolve):
        with pytest.raises(ValueError, match="method"):
            f(X, np.ones((3, 3)), method="FFT")
    for m in ("nope", "central_difference"):
        with pytest.raises(ValueError, match="method"):
            filters.gradient(X, method=m)
        with pytest.raises(ValueError, match="method"):
            filters.gradient_magnitude_orientation(X, method=m)


def test_separable_with_non_separable_kernel():
    with pytest.raises(ValueError, match="separable"):
        pnd.correlate(X, [[1, 2], [3, 4]], method="separable")
    with pytest.raises(ValueError, match="separable"):
        filters.convolve(X, kernels.laplacian(2), method="separable")


@pytest.mark.parametrize("call", [
    lambda: pnd.uniform_filter(X, 0),
    lambda: pnd.uniform_filter(X, (3, -1)),
    lambda: pnd.uniform_filter1d(X, 0),
    lambda: kernels.box(0),
    lambda: kernels.box((2, 0)),
    lambda: kernels.dilate(np.ones(3), 0),
])
def test_sizes_below_one(call):
    with pytest.raises(ValueError, match="size|dilation"):
        call()


@pytest.mark.parametrize("call", [
    lambda: kernels.deriv_kernels(1, 0, 9),
    lambda: kernels.deriv_kernels(1, 0, 2),
    lambda: kernels.deriv_kernels(1, 0, 0),
    lambda: kernels.laplacian(2, ksize=5),
    lambda: kernels.sobel(2, size=9),
    lambda: kernels.scharr(2, size=5),
    lambda: filters.laplace(X, ksize=5),
])
def test_ksize_not_in_opencv_set(call):
    with pytest.raises(ValueError, match="ksize|size"):
        call()


def test_deriv_orders():
    with pytest.raises(ValueError, match="dx"):
        kernels.deriv_kernels(3, 0, 3)
    with pytest.raises(ValueError, match="dx"):
        kernels.deriv_kernels(1, 1, -1)
    with pytest.raises(ValueError, match="dx"):
        kernels.deriv_kernels(0, 0, 3)


def test_other_bad_inputs():
    with pytest.raises(ValueError, match="mode"):
        pnd.sobel(X, mode="circular")
    with pytest.raises(ValueError, match="mode"):
        pnd.gaussian_filter(X, 1.0, mode=["reflect"])
    with pytest.raises(TypeError, match="input"):
        pnd.gaussian_filter(np.array(["a", "b"]), 1.0)
    with pytest.raises(ValueError, match="output"):
        pnd.sobel(X, output=np.empty((8, 7)))
    with pytest.raises(ValueError, match="origin"):
        pnd.uniform_filter(X, 3, origin=2)
    with pytest.raises(ValueError, match="radius"):
        pnd.gaussian_filter(X, 1.0, radius=-1)
    with pytest.raises(TypeError, match="unexpected keyword"):
        pnd.gaussian_laplace(X, 1.0, order=1)
    with pytest.raises(ValueError, match="output"):
        filters.gaussian(X, output=np.int32)
    with pytest.raises(ValueError, match="high_sigma"):
        filters.difference_of_gaussians(X, 2.0, 1.0)
    with pytest.raises(ValueError, match="sigma"):
        filters.gaussian(np.zeros((4, 4, 3)), (1.0, 1.0, 2.0), channel_axis=-1)
    with pytest.raises(ValueError, match="2-D"):
        filters.sobel_h(np.zeros((4, 4, 4)))
    with pytest.raises(ValueError, match="2-D"):
        filters.gradient_magnitude_orientation(np.zeros((4, 4, 4)))
    with pytest.raises(TypeError, match="image"):
        filters.sobel(np.ones((4, 4), complex))
    with pytest.raises(ValueError, match="rtol"):
        kernels.separate(np.ones((2, 2)), rtol=-1)
    with pytest.raises(ValueError, match="workers"):
        pnd.gaussian_filter(X, 1.0, workers=0)


def test_inputs_never_modified():
    x = X.copy()
    m = np.ones((8, 8), bool)
    mk = m.copy()
    for call in (lambda: filters.sobel(x, m), lambda: pnd.gaussian_filter(x, 1.0),
                 lambda: filters.gaussian(x, 2.0), lambda: pnd.laplace(x),
                 lambda: pnd.correlate(x, np.ones((5, 5)), method="fft"),
                 lambda: pnd.correlate(x, np.ones((5, 5)), method="separable")):
        call()
        np.testing.assert_array_equal(x, X)
        np.testing.assert_array_equal(m, mk)
