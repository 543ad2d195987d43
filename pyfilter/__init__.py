"""pyfilter: fast, exact image filtering on numpy arrays.

Namespaces
----------
pyfilter.ndimage
    scipy.ndimage drop-ins (same signatures, plus ``workers=``).
pyfilter.filters
    scikit-image style functions (``image`` first, ``channel_axis``), and
    correlation with output shape, stride and dilation.
pyfilter.morphology
    scikit-image style grey morphology (skimage.morphology's erosion,
    dilation, opening, closing and top-hats).
pyfilter.kernels
    Filter kernels as arrays (Sobel, Scharr, Gaussian, ...) and kernel
    utilities (separate, dilate).
pyfilter.nn
    torch.nn.functional style layers on numpy arrays: convolutions,
    transposed convolutions, gradients, im2col, pooling, conv arithmetic.

Thread control: every function that runs a compiled engine takes
``workers=None``; :func:`set_workers` sets the default for a block of
code.

docs/semantics.md (the peers' behaviour and pyfilter's differences),
docs/performance.md and docs/architecture.md describe the package.
"""
from ._common.version import VERSION as __version__  # noqa: E402

from ._common.workers import get_workers, set_workers  # noqa: E402
from . import ndimage, filters, morphology, nn  # noqa: E402
from . import kernels  # noqa: E402
from ._common.config import show_config  # noqa: E402
from ._common.public import publish as _publish  # noqa: E402

__all__ = ["ndimage", "filters", "morphology", "nn", "kernels", "set_workers", "get_workers", "show_config",
           "__version__"]

_publish(__name__, __all__)


def __dir__() -> list[str]:
    return sorted(__all__)
