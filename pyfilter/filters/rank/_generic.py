"""scikit-image style rank filters (skimage.filters.rank): the arguments
rules of scikit-image's ``_preprocess_input`` / ``_handle_input_3D``, then
one call of the histogram rank op."""
from __future__ import annotations

import builtins
import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..._common import validate as V
from ..._common import workers as W
from ..._common.docs import docfiller
from ..._common.errors import ArgumentError, ArgumentTypeError
from ..._common.typing import Workers
from ..._ops import histrank as _hr

__all__ = ["minimum", "maximum", "median", "mean", "sum", "modal", "gradient", "percentile",
           "pop", "entropy", "otsu", "autolevel", "equalize", "geometric_mean",
           "enhance_contrast", "threshold"]

_OUT_DTYPES = (np.uint8, np.uint16, np.float32, np.float64)


def _as_ubyte(x: NDArray[Any], name: str) -> NDArray[np.uint8]:
    """scikit-image's ``img_as_ubyte`` for float and bool arrays: floats in
    [-1, 1] times 255 in their own precision, rounded half to even and
    clipped at 0; bools 0 / 255."""
    if x.dtype == np.bool_:
        return x.astype(np.uint8) * np.uint8(255)
    if x.size and (np.min(x) < -1.0 or np.max(x) > 1.0):
        raise ArgumentError(f"{name} of type float must be between -1 and 1, got values in "
                            f"[{np.min(x)}, {np.max(x)}]")
    y = np.multiply(x, 255, dtype=x.dtype)
    np.rint(y, out=y)
    np.clip(y, 0, 255, out=y)
    return y.astype(np.uint8)


def _apply(method: str, image: ArrayLike, footprint: ArrayLike, out: NDArray[Any] | None,
           mask: ArrayLike | None, shift_x: int, shift_y: int, shift_z: int, p0: float,
           out_dtype: Any, workers: Workers, two_d_only: bool = False) -> NDArray[Any]:
    W.resolve(workers)
    img = np.asarray(image)
    if two_d_only and img.ndim != 2:
        raise ArgumentError(f"image must be 2-D, got an array of {img.ndim} dimensions")
    if img.ndim not in (2, 3):
        raise ArgumentError(f"image must be 2-D or 3-D, got an array of {img.ndim} dimensions")
    if img.size == 0:
        raise ArgumentError(f"image cannot be an empty array, got shape {img.shape}")
    if img.dtype == np.bool_ and img.ndim == 2:
        raise ArgumentError("image dtype cannot be bool")
    if img.dtype not in (np.uint8, np.uint16):
        if img.dtype.kind not in "fb":
            raise ArgumentTypeError(f"image must be uint8, uint16, float or bool, got dtype "
                                    f"{img.dtype} (convert it with skimage.util.img_as_ubyte)")
        warnings.warn(f"Possible precision loss converting image of type {img.dtype} to "
                      "uint8 as required by rank filters. Convert manually using "
                      "skimage.util.img_as_ubyte to silence this warning.", UserWarning,
                      stacklevel=3)
        img = _as_ubyte(img, "image")
    fp = np.asarray(footprint)
    if fp.dtype == object or fp.dtype.kind not in "biuf":
        raise ArgumentTypeError(f"footprint must be a real array, got dtype {fp.dtype}")
    fp = fp > 0
    if fp.ndim != img.ndim:
        raise ArgumentError(f"footprint must have {img.ndim} dimensions like the image, "
                            f"got {fp.ndim}")
    names = ("shift_x", "shift_y", "shift_z")
    for name, value in zip(names, (shift_x, shift_y, shift_z)):
        if isinstance(value, (bool, np.bool_)):
            warnings.warn(f"Parameter `{name}` is boolean and will be interpreted as int. "
                          "This is not officially supported, use int instead.",
                          UserWarning, stacklevel=3)
    sx, sy, sz = (V.as_int(int(v) if isinstance(v, (bool, np.bool_)) else v, n)
                  for v, n in zip((shift_x, shift_y, shift_z), names))
    shifts = (sy, sx) if img.ndim == 2 else (sx, sy, sz)
    center = [fp.shape[a] // 2 + shifts[a] for a in range(img.ndim)]
    for a in range(img.ndim):
        if not 0 <= center[a] < fp.shape[a]:
            name = names[a] if img.ndim == 3 else ("shift_y", "shift_x")[a]
            raise ArgumentError(f"{name}={shifts[a]} moves the footprint centre outside the "
                                f"footprint (axis {a} of length {fp.shape[a]})")
    m: NDArray[np.uint8] | None = None
    if mask is not None:
        ma = np.asarray(mask)
        if ma.shape != img.shape:
            raise ArgumentError(f"mask must have the image's shape {img.shape}, got {ma.shape}")
        if ma.dtype.kind == "f":
            ma = _as_ubyte(ma, "mask")
        m = np.ascontiguousarray(ma != 0, dtype=np.uint8)
    if out is not None:
        if not isinstance(out, np.ndarray):
            raise ArgumentTypeError(f"out must be an ndarray or None, got {type(out).__name__}")
        if out is image:
            raise NotImplementedError("Cannot perform rank operation in place.")
        if out.shape != img.shape:
            raise ArgumentError(f"out must have the image's shape {img.shape}, got {out.shape}")
        if out.dtype not in _OUT_DTYPES:
            raise ArgumentTypeError(f"out must be uint8, uint16, float32 or float64, got "
                                    f"dtype {out.dtype}")
    if img.dtype == np.uint8:
        nbins = 256
    else:
        nbins = int(builtins.max(3, int(img.max()) if img.size else 0)) + 1
    if nbins > 2 ** 10:
        warnings.warn(f"Bad rank filter performance is expected due to a large number of "
                      f"bins ({nbins}), equivalent to an approximate bitdepth of "
                      f"{np.log2(nbins):.1f}.", UserWarning, stacklevel=3)
    im3 = np.ascontiguousarray(img).reshape((1,) * (3 - img.ndim) + img.shape)
    fp3 = fp.reshape((1,) * (3 - fp.ndim) + fp.shape)
    c3 = [0] * (3 - img.ndim) + center
    m3 = None if m is None else m.reshape(im3.shape)
    res = _hr.hist_call(im3, m3, fp3, c3, method, nbins, p0, workers).reshape(img.shape)
    dt = np.dtype(out_dtype if out_dtype is not None else img.dtype)
    target = out if out is not None else np.empty(img.shape, dtype=dt)
    if target.dtype.kind == "f":
        target[...] = res
    else:
        target[...] = res.astype(np.int64).astype(target.dtype)
    return target


@docfiller
def minimum(image: ArrayLike, footprint: ArrayLike, out: NDArray[Any] | None = None,
            mask: ArrayLike | None = None, shift_x: int = 0, shift_y: int = 0,
            shift_z: int = 0, *, workers: Workers = None) -> NDArray[Any]:
    """Local minimum (skimage.filters.rank.minimum).

    Parameters
    ----------
    %(rank_args)s
    %(workers)s

    Returns
    -------
    out : ndarray
        The local minima, the image's dtype (or ``out``).

    Notes
    -----
    %(rank_window)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter.filters import rank
    >>> img = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)
    >>> rank.minimum(img, np.ones((3, 3)))
    array([[1, 1, 2],
           [1, 1, 2]], dtype=uint8)
    """
    return _apply("minimum", image, footprint, out, mask, shift_x, shift_y, shift_z, 0.0,
                  None, workers)


@docfiller
def maximum(image: ArrayLike, footprint: ArrayLike, out: NDArray[Any] | None = None,
            mask: ArrayLike | None = None, shift_x: int = 0, shift_y: int = 0,
            shift_z: int = 0, *, workers: Workers = None) -> NDArray[Any]:
    """Local maximum (skimage.filters.rank.maximum).

    Parameters
    ----------
    %(rank_args)s
    %(workers)s

    Returns
    -------
    out : ndarray
        The local maxima, the image's dtype (or ``out``).

    Notes
    -----
    %(rank_window)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter.filters import rank
    >>> img = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)
    >>> rank.maximum(img, np.ones((3, 3)))
    array([[5, 6, 6],
           [5, 6, 6]], dtype=uint8)
    """
    return _apply("maximum", image, footprint, out, mask, shift_x, shift_y, shift_z, 0.0,
                  None, workers)


@docfiller
def median(image: ArrayLike, footprint: ArrayLike | None = None, out: NDArray[Any] | None = None,
           mask: ArrayLike | None = None, shift_x: int = 0, shift_y: int = 0,
           shift_z: int = 0, *, workers: Workers = None) -> NDArray[Any]:
    """Local median (skimage.filters.rank.median): the smallest value
    whose cumulative count exceeds half the window's population.

    Parameters
    ----------
    %(rank_args)s
    %(workers)s

    Returns
    -------
    out : ndarray
        The local medians, the image's dtype (or ``out``).

    Notes
    -----
    %(rank_window)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter.filters import rank
    >>> img = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)
    >>> rank.median(img, np.ones((3, 3)))
    array([[4, 4, 5],
           [4, 4, 5]], dtype=uint8)
    """
    if footprint is None:
        # skimage's default for median only: every neighbour (3 x 3 (x 3))
        footprint = np.ones((3,) * np.ndim(image), dtype=bool)
    return _apply("median", image, footprint, out, mask, shift_x, shift_y, shift_z, 0.0,
                  None, workers)


@docfiller
def mean(image: ArrayLike, footprint: ArrayLike, out: NDArray[Any] | None = None,
         mask: ArrayLike | None = None, shift_x: int = 0, shift_y: int = 0,
         shift_z: int = 0, *, workers: Workers = None) -> NDArray[Any]:
    """Local mean (skimage.filters.rank.mean): the sum over the window
    divided by its population, truncated for integer outputs.

    Parameters
    ----------
    %(rank_args)s
    %(workers)s

    Returns
    -------
    out : ndarray
        The local means, the image's dtype (or ``out``).

    Notes
    -----
    %(rank_window)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter.filters import rank
    >>> img = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)
    >>> rank.mean(img, np.ones((3, 3)))
    array([[3, 3, 4],
           [3, 3, 4]], dtype=uint8)
    """
    return _apply("mean", image, footprint, out, mask, shift_x, shift_y, shift_z, 0.0,
                  None, workers)


@docfiller
def sum(image: ArrayLike, footprint: ArrayLike, out: NDArray[Any] | None = None,
        mask: ArrayLike | None = None, shift_x: int = 0, shift_y: int = 0,
        shift_z: int = 0, *, workers: Workers = None) -> NDArray[Any]:
    """Local sum (skimage.filters.rank.sum), wrapped to the output's
    integer type as scikit-image's C cast does.

    Parameters
    ----------
    %(rank_args)s
    %(workers)s

    Returns
    -------
    out : ndarray
        The local sums, the image's dtype (or ``out``).

    Notes
    -----
    %(rank_window)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter.filters import rank
    >>> img = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)
    >>> rank.sum(img, np.ones((1, 3)))
    array([[ 3,  6,  5],
           [ 9, 15, 11]], dtype=uint8)
    """
    return _apply("sum", image, footprint, out, mask, shift_x, shift_y, shift_z, 0.0,
                  None, workers)


@docfiller
def modal(image: ArrayLike, footprint: ArrayLike, out: NDArray[Any] | None = None,
          mask: ArrayLike | None = None, shift_x: int = 0, shift_y: int = 0,
          shift_z: int = 0, *, workers: Workers = None) -> NDArray[Any]:
    """Local mode (skimage.filters.rank.modal): the most frequent value,
    the smallest one on ties.

    Parameters
    ----------
    %(rank_args)s
    %(workers)s

    Returns
    -------
    out : ndarray
        The local modes, the image's dtype (or ``out``).

    Notes
    -----
    %(rank_window)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter.filters import rank
    >>> img = np.array([[1, 2, 2], [4, 4, 6]], dtype=np.uint8)
    >>> rank.modal(img, np.ones((3, 3)))
    array([[4, 2, 2],
           [4, 2, 2]], dtype=uint8)
    """
    return _apply("modal", image, footprint, out, mask, shift_x, shift_y, shift_z, 0.0,
                  None, workers)


@docfiller
def gradient(image: ArrayLike, footprint: ArrayLike, out: NDArray[Any] | None = None,
             mask: ArrayLike | None = None, shift_x: int = 0, shift_y: int = 0,
             shift_z: int = 0, *, workers: Workers = None) -> NDArray[Any]:
    """Local gradient (skimage.filters.rank.gradient): maximum minus
    minimum.

    Parameters
    ----------
    %(rank_args)s
    %(workers)s

    Returns
    -------
    out : ndarray
        The local gradients, the image's dtype (or ``out``).

    Notes
    -----
    %(rank_window)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter.filters import rank
    >>> img = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)
    >>> rank.gradient(img, np.ones((3, 3)))
    array([[4, 5, 4],
           [4, 5, 4]], dtype=uint8)
    """
    return _apply("gradient", image, footprint, out, mask, shift_x, shift_y, shift_z, 0.0,
                  None, workers)


@docfiller
def percentile(image: ArrayLike, footprint: ArrayLike, out: NDArray[Any] | None = None,
               mask: ArrayLike | None = None, shift_x: int = 0, shift_y: int = 0,
               p0: float = 0, *, workers: Workers = None) -> NDArray[Any]:
    """Local percentile (skimage.filters.rank.percentile), 2-D images
    only: the smallest value whose cumulative count exceeds ``p0`` times
    the population (``p0 == 1``: the maximum).

    Parameters
    ----------
    %(rank_args)s
    p0 : float, optional
        The percentile, in [0, 1].
    %(workers)s

    Returns
    -------
    out : ndarray
        The local percentiles, the image's dtype (or ``out``).

    Notes
    -----
    %(rank_window)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter.filters import rank
    >>> img = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)
    >>> rank.percentile(img, np.ones((3, 3)), p0=0.25)
    array([[2, 2, 3],
           [2, 2, 3]], dtype=uint8)
    """
    try:
        p = float(p0)
    except (TypeError, ValueError):
        raise ArgumentTypeError(f"p0 must be a real number, got {p0!r}") from None
    return _apply("percentile", image, footprint, out, mask, shift_x, shift_y, 0, p,
                  None, workers, two_d_only=True)


@docfiller
def pop(image: ArrayLike, footprint: ArrayLike, out: NDArray[Any] | None = None,
        mask: ArrayLike | None = None, shift_x: int = 0, shift_y: int = 0,
        shift_z: int = 0, *, workers: Workers = None) -> NDArray[Any]:
    """Local population (skimage.filters.rank.pop): the number of pixels
    that count in each window.

    Parameters
    ----------
    %(rank_args)s
    %(workers)s

    Returns
    -------
    out : ndarray
        The counts, the image's dtype (or ``out``).

    Notes
    -----
    %(rank_window)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter.filters import rank
    >>> img = np.zeros((3, 4), dtype=np.uint8)
    >>> rank.pop(img, np.ones((3, 3)))
    array([[4, 6, 6, 4],
           [6, 9, 9, 6],
           [4, 6, 6, 4]], dtype=uint8)
    """
    return _apply("pop", image, footprint, out, mask, shift_x, shift_y, shift_z, 0.0,
                  None, workers)


@docfiller
def entropy(image: ArrayLike, footprint: ArrayLike, out: NDArray[Any] | None = None,
            mask: ArrayLike | None = None, shift_x: int = 0, shift_y: int = 0,
            shift_z: int = 0, *, workers: Workers = None) -> NDArray[Any]:
    """Local Shannon entropy in bits (skimage.filters.rank.entropy).

    Parameters
    ----------
    %(rank_args)s
    %(workers)s

    Returns
    -------
    out : ndarray
        The local entropies, float64 (or ``out``'s dtype).

    Notes
    -----
    %(rank_window)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter.filters import rank
    >>> img = np.array([[0, 1], [2, 3]], dtype=np.uint8)
    >>> rank.entropy(img, np.ones((3, 3)))
    array([[2., 2.],
           [2., 2.]])
    """
    return _apply("entropy", image, footprint, out, mask, shift_x, shift_y, shift_z, 0.0,
                  np.float64, workers)


@docfiller
def otsu(image: ArrayLike, footprint: ArrayLike, out: NDArray[Any] | None = None,
         mask: ArrayLike | None = None, shift_x: int = 0, shift_y: int = 0,
         shift_z: int = 0, *, workers: Workers = None) -> NDArray[Any]:
    """Local Otsu threshold (skimage.filters.rank.otsu): the value that
    maximises the between-class variance of the window's histogram.

    Parameters
    ----------
    %(rank_args)s
    %(workers)s

    Returns
    -------
    out : ndarray
        The local thresholds, the image's dtype (or ``out``).

    Notes
    -----
    %(rank_window)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter.filters import rank
    >>> img = np.array([[10, 10, 200], [10, 200, 200]], dtype=np.uint8)
    >>> rank.otsu(img, np.ones((3, 3)))
    array([[10, 10, 10],
           [10, 10, 10]], dtype=uint8)
    """
    return _apply("otsu", image, footprint, out, mask, shift_x, shift_y, shift_z, 0.0,
                  None, workers)


@docfiller
def autolevel(image: ArrayLike, footprint: ArrayLike, out: NDArray[Any] | None = None,
             mask: ArrayLike | None = None, shift_x: int = 0, shift_y: int = 0,
             shift_z: int = 0, *, workers: Workers = None) -> NDArray[Any]:
    """Local auto-levels (skimage.filters.rank.autolevel): the pixel's value
    stretched from the window's [min, max] to the full range of bins, in
    C's truncating integer arithmetic.

    Parameters
    ----------
    %(rank_args)s
    %(workers)s

    Returns
    -------
    out : ndarray
        The stretched values, the image's dtype (or ``out``).

    Notes
    -----
    %(rank_window)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter.filters import rank
    >>> img = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)
    >>> rank.autolevel(img, np.ones((3, 3)))
    array([[  0,  51,  63],
           [191, 204, 255]], dtype=uint8)
    """
    return _apply("autolevel", image, footprint, out, mask, shift_x, shift_y, shift_z, 0.0,
                  None, workers)


@docfiller
def equalize(image: ArrayLike, footprint: ArrayLike, out: NDArray[Any] | None = None,
            mask: ArrayLike | None = None, shift_x: int = 0, shift_y: int = 0,
            shift_z: int = 0, *, workers: Workers = None) -> NDArray[Any]:
    """Local histogram equalisation (skimage.filters.rank.equalize): the
    window's cumulative count up to the pixel's value, scaled to the bins.

    Parameters
    ----------
    %(rank_args)s
    %(workers)s

    Returns
    -------
    out : ndarray
        The equalised values, the image's dtype (or ``out``).

    Notes
    -----
    %(rank_window)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter.filters import rank
    >>> img = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)
    >>> rank.equalize(img, np.ones((3, 3)))
    array([[ 63,  85, 127],
           [191, 212, 255]], dtype=uint8)
    """
    return _apply("equalize", image, footprint, out, mask, shift_x, shift_y, shift_z, 0.0,
                  None, workers)


@docfiller
def geometric_mean(image: ArrayLike, footprint: ArrayLike, out: NDArray[Any] | None = None,
                  mask: ArrayLike | None = None, shift_x: int = 0, shift_y: int = 0,
                  shift_z: int = 0, *, workers: Workers = None) -> NDArray[Any]:
    """Local geometric mean (skimage.filters.rank.geometric_mean):
    ``exp(mean(log(v + 1))) - 1`` rounded half away from zero.

    Parameters
    ----------
    %(rank_args)s
    %(workers)s

    Returns
    -------
    out : ndarray
        The local geometric means, the image's dtype (or ``out``).

    Notes
    -----
    %(rank_window)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter.filters import rank
    >>> img = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)
    >>> rank.geometric_mean(img, np.ones((3, 3)))
    array([[3, 3, 4],
           [3, 3, 4]], dtype=uint8)
    """
    return _apply("geometric_mean", image, footprint, out, mask, shift_x, shift_y, shift_z, 0.0,
                  None, workers)


@docfiller
def enhance_contrast(image: ArrayLike, footprint: ArrayLike, out: NDArray[Any] | None = None,
                    mask: ArrayLike | None = None, shift_x: int = 0, shift_y: int = 0,
                    shift_z: int = 0, *, workers: Workers = None) -> NDArray[Any]:
    """Local contrast enhancement (skimage.filters.rank.enhance_contrast):
    the window's maximum or minimum, whichever is closer to the pixel's
    value (the minimum on ties).

    Parameters
    ----------
    %(rank_args)s
    %(workers)s

    Returns
    -------
    out : ndarray
        The enhanced values, the image's dtype (or ``out``).

    Notes
    -----
    %(rank_window)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter.filters import rank
    >>> img = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)
    >>> rank.enhance_contrast(img, np.ones((3, 3)))
    array([[1, 1, 2],
           [5, 6, 6]], dtype=uint8)
    """
    return _apply("enhance_contrast", image, footprint, out, mask, shift_x, shift_y, shift_z, 0.0,
                  None, workers)


@docfiller
def threshold(image: ArrayLike, footprint: ArrayLike, out: NDArray[Any] | None = None,
             mask: ArrayLike | None = None, shift_x: int = 0, shift_y: int = 0,
             shift_z: int = 0, *, workers: Workers = None) -> NDArray[Any]:
    """Local threshold (skimage.filters.rank.threshold): 1 where the pixel's
    value exceeds the local mean, else 0.

    Parameters
    ----------
    %(rank_args)s
    %(workers)s

    Returns
    -------
    out : ndarray
        The thresholded image, the image's dtype (or ``out``).

    Notes
    -----
    %(rank_window)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter.filters import rank
    >>> img = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)
    >>> rank.threshold(img, np.ones((3, 3)))
    array([[0, 0, 0],
           [1, 1, 1]], dtype=uint8)
    """
    return _apply("threshold", image, footprint, out, mask, shift_x, shift_y, shift_z, 0.0,
                  None, workers)
