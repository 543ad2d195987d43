"""Calls of the public API as a user writes them, checked by mypy --strict
(tests/test_typing.py); not a test module (pytest does not collect it), but
it runs: ``python tests/typing/usage.py`` executes every call."""
from typing import Any

import numpy as np
from numpy.typing import NDArray

import pyfilter
from pyfilter import filters, kernels, morphology, ndimage, nn

x: NDArray[np.float64] = np.arange(64.0).reshape(8, 8)
k = np.ones((3, 3))

# ---------------------------------------------------------------- ndimage
y: NDArray[Any] = ndimage.correlate(x, k)
y = ndimage.correlate(x, k, mode="constant", cval=1.0, origin=(0, 1), workers=1)
y = ndimage.correlate([[1, 2], [3, 4]], [[1, 0], [0, 1]], output=np.float32, method="direct")
y = ndimage.convolve(x, k, axes=(0, 1))
y = ndimage.correlate1d(x, [1.0, 2.0, 1.0], axis=0)
y = ndimage.gaussian_filter(x, sigma=1.5)
y = ndimage.gaussian_filter(x, sigma=(1.0, 2.0), order=(0, 1), mode=["reflect", "wrap"],
                            radius=[2, None], truncate=3.0)
y = ndimage.gaussian_filter1d(x, 2.0, axis=0, output=np.empty_like(x))
y = ndimage.maximum_filter(x, size=3)
y = ndimage.maximum_filter(x, footprint=np.eye(3, dtype=bool), mode="nearest")
y = ndimage.minimum_filter1d(x, 3, axis=1)
y = ndimage.uniform_filter(x, size=(3, 5))
y = ndimage.sobel(x, axis=0)
y = ndimage.gaussian_laplace(x, 1.0, truncate=3.0)
y = ndimage.generic_gradient_magnitude(x, ndimage.sobel)
y = ndimage.generic_laplace(x, lambda a, ax, out, mode, cval: ndimage.correlate1d(
    a, [1.0, -2.0, 1.0], ax, out, mode, cval))
y = ndimage.grey_erosion(x, size=(3, 3))
y = ndimage.grey_dilation(x, footprint=[[0, 1, 0], [1, 1, 1], [0, 1, 0]], mode="constant",
                          cval=0.0)
y = ndimage.grey_opening(x, structure=np.zeros((3, 3)), axes=(0, 1), workers=1)
y = ndimage.morphological_gradient(x, 3, output=np.empty_like(x))
y = ndimage.white_tophat(x, size=3, mode=["reflect", "nearest"])
y = ndimage.binary_erosion(x > 10)
y = ndimage.binary_dilation(x > 10, structure=np.ones((2, 2)), iterations=2, mask=x < 50)
y = ndimage.binary_closing(x > 10, output=np.empty(x.shape, np.uint8), border_value=1)

# ---------------------------------------------------------------- filters
f: NDArray[np.floating[Any]] = filters.sobel(x)
f = filters.sobel(x, axis=0, mode="reflect", mask=x > 3)
f = filters.gaussian(x, sigma=2, preserve_range=True, channel_axis=None)
f = filters.gaussian(x, 1.0, out=np.empty_like(x))
f = filters.difference_of_gaussians(x, 1.0, 2.0)
f = filters.laplace(x)
f32: NDArray[np.float32] = filters.scharr_h(x.astype(np.float32))
grads: tuple[NDArray[np.floating[Any]], ...] = filters.gradient(x, method="central")
mag, ang = filters.gradient_magnitude_orientation(x)
f = mag + ang
y = filters.correlate(x, k, stride=2)
y = filters.correlate(x, k, shape="valid", stride=(2, 1), dilation=2)
y = filters.convolve(x, k, shape="full", method="fft")
y = filters.block_reduce(x, (2, 2), np.max)

# ---------------------------------------------------------------- morphology
u8: NDArray[np.uint8] = (x % 7).astype(np.uint8)
y = morphology.erosion(u8)
y = morphology.dilation(u8, np.ones((3, 3), bool), mode="ignore", workers=1)
y = morphology.opening(u8, ((np.ones((3, 1)), 2), (np.ones((1, 3)), 2)), out=np.empty_like(u8))
y = morphology.closing(x, [[0, 1, 0], [1, 1, 1], [0, 1, 0]], mode="constant", cval=2.0)
y = morphology.white_tophat(u8, mode="max")
y = morphology.black_tophat(x, np.ones((2, 2)))

# ---------------------------------------------------------------- nn
batch = np.ones((2, 3, 16, 16), np.float32)
w = np.ones((8, 3, 3, 3), np.float32)
z: NDArray[np.floating[Any]] = nn.conv2d(batch, w, padding="same")
z = nn.conv2d(batch, w, None, 2, 1, 1, 1, padding_mode="reflect", workers=-1)
z = nn.conv_transpose2d(z, np.ones((8, 3, 2, 2), np.float32), stride=2)
pooled: NDArray[Any] = nn.max_pool2d(batch, 2)
values, indices = nn.max_pool2d(batch, 2, stride=2, return_indices=True)
idx: NDArray[np.int64] = indices
pooled = nn.max_unpool2d(values, indices, 2)
either = nn.max_pool2d(batch, 2, return_indices=bool(batch.size % 2))
if isinstance(either, tuple):
    pooled = either[0]
values, indices = nn.adaptive_max_pool2d(batch, (4, None), return_indices=True)
z = nn.avg_pool2d(batch, 3, stride=1, padding=1, count_include_pad=False)
shape: tuple[int, ...] = nn.conv_output_shape((32, 32), 5, padding=2)
cost: nn.ConvCost = nn.conv_flops((3, 32, 32), 10, 5)
macs: int = cost.macs
rf = nn.receptive_field([3, (3, 2), ((3, 3), 1, 2)])
params: int = nn.conv_params(3, 16, (3, 3), bias=False)
wf, bf = nn.fuse_conv_bn(w, None, np.zeros(8, np.float32), np.ones(8, np.float32), None, None)

# ---------------------------------------------------------------- kernels
kern: NDArray[np.float64] = kernels.sobel(2, axis=0)
kern = kernels.gaussian1d(1.5, order=1)
kern = kernels.box((3, 3))
kx, ky = kernels.deriv_kernels(1, 0, 3)
factors = kernels.separate(kernels.sobel())
if factors is not None:
    first: NDArray[Any] = factors[0]
y = kernels.dilate(k, 2)

# ---------------------------------------------------------------- threads
with pyfilter.set_workers(1):
    n: int = pyfilter.get_workers()
    y = ndimage.correlate(x, k)
pyfilter.show_config()
