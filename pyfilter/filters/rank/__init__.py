"""scikit-image style local histogram filters (skimage.filters.rank).

Each filter computes, at every pixel, one statistic of the histogram of
the image values under the footprint; the window shrinks at the image
borders and an optional mask selects the pixels that count.
"""
from ..._common.public import publish as _publish
from ._generic import (minimum, maximum, median, mean, sum, modal, gradient, percentile,
                       pop, entropy, otsu, autolevel, equalize, geometric_mean,
                       enhance_contrast, threshold)

__all__ = ["minimum", "maximum", "median", "mean", "sum", "modal", "gradient",
           "percentile", "pop", "entropy", "otsu", "autolevel", "equalize",
           "geometric_mean", "enhance_contrast", "threshold"]

_publish(__name__, __all__)


def __dir__() -> list[str]:
    return sorted(__all__)
