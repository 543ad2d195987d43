"""scikit-image style rank filters: median."""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._common import validate as V
from .._common.docs import docfiller
from .._common.errors import ArgumentError
from .._common.typing import Mode, Plan, Scalar, Workers
from .._ops import plans as P
from .._ops import reduce as _reduce
from . import rank as _rank

__all__ = ["median"]

_CACHE = P.Cache(64)


def _check_image(image: ArrayLike) -> NDArray[Any]:
    return V.check_array(image, "image", min_ndim=0)


def _plan_median(image: NDArray[Any], footprint: ArrayLike | None, out: Any, mode: Mode,
                 cval: Scalar, behavior: str) -> Plan:
    if behavior not in ("ndimage", "rank"):
        raise ArgumentError(f"behavior must be 'ndimage' or 'rank', got {behavior!r}")
    if image.dtype.kind == "c":
        raise TypeError(f"image has dtype {image.dtype}: complex images are not supported")
    if footprint is None:
        fp = np.ones((3,) * image.ndim, dtype=bool)
    else:
        fp = V.check_footprint(footprint, image.ndim, "footprint")
    if out is not None and not isinstance(out, np.ndarray):
        raise TypeError(f"out must be an ndarray or None, got {type(out).__name__}")
    code = V.mode_codes(mode, 1, "mode", allow_sequence=False)[0]
    cval = V.check_cval(cval, False)
    _, target = V.get_output(out, image, image.shape, name="out")
    bases = [-(k // 2) for k in fp.shape]
    n = int(np.count_nonzero(fp))
    wide = image.ndim == 1 and (image.size - (fp.size - 1) // 2 >= 0 or image.size == 1)
    return _reduce.select_call(image, target, fp, bases, code, cval, n // 2, wide)


@docfiller
def median(image: ArrayLike, footprint: ArrayLike | None = None, out: NDArray[Any] | None = None,
           mode: Mode = "nearest", cval: Scalar = 0.0, behavior: str = "ndimage", *,
           workers: Workers = None) -> NDArray[Any]:
    """Local median of an image (skimage.filters.median).

    With scikit-image's defaults: a ``3 x 3 x ...`` footprint (every
    neighbour of the image's dimensionality), ``mode='nearest'`` and
    ``behavior='ndimage'``, which is ``scipy.ndimage.median_filter`` with
    that footprint: the result has the image's dtype and shape.

    Parameters
    ----------
    image : array_like
        Input image, any real dtype and number of dimensions.
    footprint : array_like of bool, optional
        The neighbourhood, one dimension per image dimension (nonzero
        entries count); default ``np.ones((3,) * image.ndim)``.
    out : ndarray, optional
        Array to write the result into (the image's shape).
    mode : {'nearest', 'reflect', 'constant', 'mirror', 'wrap', 'grid-constant', 'grid-mirror', 'grid-wrap'}, optional
        How the image is extended beyond its edges (scipy.ndimage's
        names; default 'nearest').
    %(cval)s
    behavior : {'ndimage', 'rank'}, optional
        'ndimage' (the default), or 'rank': :func:`pyfilter.filters.rank.median`
        (windows shrunk at the borders, uint8/uint16 images; ``mode`` and
        ``cval`` are then ignored, with a UserWarning when not the
        defaults), as in scikit-image.
    %(workers)s

    Returns
    -------
    out : ndarray
        The filtered image (``out`` when given).

    See Also
    --------
    pyfilter.ndimage.median_filter

    Notes
    -----
    %(rank_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> img = np.array([[0, 0, 0, 0], [0, 9, 9, 0], [0, 0, 9, 0]], dtype=np.uint8)
    >>> filters.median(img)
    array([[0, 0, 0, 0],
           [0, 0, 0, 0],
           [0, 0, 0, 0]], dtype=uint8)
    >>> filters.median(img, np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]]))
    array([[0, 0, 0, 0],
           [0, 0, 9, 0],
           [0, 0, 9, 0]], dtype=uint8)
    """
    if behavior == "rank":
        # skimage's rule: the rank filter (windows shrunk at the borders,
        # uint8/uint16), which takes neither mode nor cval
        if mode != "nearest" or not np.isclose(cval, 0.0):
            warnings.warn("Change 'behavior' to 'ndimage' if you want to use the parameters "
                          "'mode' or 'cval'. They will be discarded otherwise.", stacklevel=2)
        return _rank.median(image, footprint=footprint, out=out, workers=workers)

    def plan(image: NDArray[Any]) -> Plan:
        return _plan_median(image, footprint, out, mode, cval, behavior)
    return P.run_cached(_CACHE, "median", image, out, (footprint, mode, cval, behavior), plan,
                        workers, _check_image)
