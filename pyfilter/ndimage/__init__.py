"""Drop-in replacements for scipy.ndimage filters.

Same signatures and results as scipy.ndimage, plus a keyword-only
``workers=None`` thread count.  Differences: float32 inputs are computed
in float32 (scipy promotes to float64), and results are computed in
parallel; docs/semantics.md lists the other deliberate differences (NaN
in max/min filters, uniform_filter's NaN locality, bool outputs, errors
for negative sigmas...).
"""
from .._common.public import publish as _publish
from ._correlate import correlate, convolve, correlate1d, convolve1d
from ._minmax import maximum_filter, minimum_filter, maximum_filter1d, minimum_filter1d
from ._rank import rank_filter, median_filter, percentile_filter
from ._generic import generic_filter, generic_filter1d
from ._separable import (sobel, prewitt, laplace, uniform_filter, uniform_filter1d,
                         gaussian_filter, gaussian_filter1d, gaussian_laplace,
                         gaussian_gradient_magnitude, generic_gradient_magnitude,
                         generic_laplace)
from ._morphology import (grey_erosion, grey_dilation, grey_opening, grey_closing,
                          morphological_gradient, morphological_laplace, white_tophat,
                          black_tophat, binary_erosion, binary_dilation, binary_opening,
                          binary_closing)

__all__ = ["correlate", "convolve", "correlate1d", "convolve1d",
           "maximum_filter", "minimum_filter", "maximum_filter1d", "minimum_filter1d",
           "rank_filter", "median_filter", "percentile_filter",
           "generic_filter", "generic_filter1d",
           "sobel", "prewitt", "laplace", "uniform_filter", "uniform_filter1d",
           "gaussian_filter", "gaussian_filter1d", "gaussian_laplace",
           "gaussian_gradient_magnitude", "generic_gradient_magnitude",
           "generic_laplace",
           "grey_erosion", "grey_dilation", "grey_opening", "grey_closing",
           "morphological_gradient", "morphological_laplace", "white_tophat",
           "black_tophat", "binary_erosion", "binary_dilation", "binary_opening",
           "binary_closing"]

_publish(__name__, __all__)


def __dir__() -> list[str]:
    return sorted(__all__)
