"""scikit-image style filters, plus correlation with CNN-course extras.

Functions here take ``image`` first and keyword-only options.  Every
filter accepts ``channel_axis``: that axis is not filtered (each channel
gets the same kernel); ``block_reduce`` takes a block size per axis
instead.  docs/semantics.md describes the scikit-image rules followed.
"""
from .._common.public import publish as _publish
from ._correlate import correlate, convolve
from ._blocks import block_reduce
from ._edges import (sobel, sobel_h, sobel_v, scharr, scharr_h, scharr_v, prewitt,
                     prewitt_h, prewitt_v, farid, farid_h, farid_v, laplace, gradient,
                     gradient_magnitude_orientation)
from ._smooth import gaussian, difference_of_gaussians
from ._rank import median
from . import rank

__all__ = ["correlate", "convolve", "block_reduce",
           "sobel", "sobel_h", "sobel_v", "scharr", "scharr_h", "scharr_v",
           "prewitt", "prewitt_h", "prewitt_v", "farid", "farid_h", "farid_v",
           "gaussian", "difference_of_gaussians", "laplace", "gradient",
           "gradient_magnitude_orientation", "median"]

_publish(__name__, __all__)


def __dir__() -> list[str]:
    return sorted(__all__)
