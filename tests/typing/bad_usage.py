"""Calls that mypy must reject (tests/test_typing.py): each line marked
``# E: <code>`` must give exactly that error, and no other line any."""
import numpy as np

from pyfilter import filters, kernels, morphology, ndimage, nn

x = np.zeros((8, 8))
k = np.ones((3, 3))

ndimage.correlate(x, k, mode=3)  # E: arg-type
ndimage.correlate(x, k, mode="reflekt")  # E: arg-type
ndimage.gaussian_filter(x, sigma="1.0")  # E: arg-type
filters.correlate(x, k, 2)  # E: call-arg, arg-type
filters.correlate(x, k, shape="same-ish")  # E: arg-type
y: tuple[np.ndarray, np.ndarray] = nn.max_pool2d(x[None], 2)  # E: assignment
nn.conv2d(x[None, None], k[None, None], padding_mode="edge")  # E: arg-type
kernels.sobel(ndim="2")  # E: arg-type
morphology.erosion(x, mode="grid-wrap")  # E: arg-type
morphology.dilation(x, None, None, "reflect")  # E: call-arg
