"""scikit-image style smoothing: gaussian, difference_of_gaussians."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._common import dtypes as D
from .._common import validate as V
from .._common.docs import docfiller
from .._common.errors import ArgumentError, ArgumentTypeError
from .._common.typing import FloatArray, FloatOrSeq, FloatOutput, Mode, Plan, Workers
from .._ops import bank as B
from .._ops import kernel as K
from .._ops import line as L
from .._ops import plans as P
from ._edges import _spatial

_CACHE = P.Cache(64)

__all__ = ["gaussian", "difference_of_gaussians"]


def _check_image(image: ArrayLike) -> NDArray[Any]:
    image = V.check_array(image, "image", allow_float16=True)
    if image.dtype.kind == "c":
        raise ArgumentTypeError(f"image must be real, got dtype {image.dtype}")
    return image


def _to_float(image: NDArray[Any], preserve_range: bool) -> FloatArray:
    if image.dtype.kind == "f":
        return image
    if preserve_range:
        return image.astype(np.float64)
    return D.img_as_float(image)


def _convert(image: ArrayLike, preserve_range: bool) -> FloatArray:
    return _to_float(_check_image(image), preserve_range)


def _gauss_passes(ndim: int, shape: Sequence[int], sigmas: Sequence[float], mode: int,
                  truncate: float, dtype: None) -> list[Any]:
    """scipy's gaussian_filter passes (axes with sigma <= 1e-15 skipped)."""
    return [L.make_pass(a, K.gaussian_weights(s, 0, truncate, None), mode, 0.0, shape[a])
            for a, s in enumerate(sigmas) if s > K.GAUSS_SIGMA_SKIP]


def _smooth_call(img: NDArray[Any], output: FloatOutput, terms: list[list[Any]], out: Any,
                 mode: int, cval: float, preserve_range: bool, name: str = "output") -> Plan:
    """The planned call of a bank over the float conversion of ``img``: the
    conversion folded into the first pass of each term where it is linear
    (the image is then read as it is), else made on every call."""
    fdt = D.float_dtype_of(img.dtype, preserve_range)
    result, target = V.get_output(output, np.empty((0,) * img.ndim, fdt),
                                  img.shape, name=name)
    cval = V.check_cval(cval, False)
    scale = D.float_scale(img.dtype, preserve_range)
    if scale is not None and (mode != V.MODE_CONSTANT or cval == 0):
        if scale != 1.0:
            terms = [[t[0].scaled(scale)] + list(t[1:]) if t else
                     [L.identity_pass(img.ndim - 1, img.shape[-1]).scaled(scale)]
                     for t in terms]
        dtype = D.work_dtype(img.dtype, target.dtype)
        return B.call(img, target, terms, (out,), cval=cval, semantics="cascade",
                      dtype=dtype)
    fimg = np.empty(img.shape, fdt)
    dtype = D.work_dtype(fdt, target.dtype)
    call = B.call(fimg, target, terms, (out,), cval=cval, semantics="cascade", dtype=dtype)
    call.prep = lambda x: _to_float(x, preserve_range)
    return call


def _sigmas(sigma: FloatOrSeq, ndim: int, spatial: Sequence[int], channel_axis: int | None,
            name: str = "sigma") -> list[float]:
    """Per-axis sigma with 0 on the channel axis."""
    if np.ndim(sigma) == 0:
        vals = V.check_sigma(sigma, len(spatial), name)
    else:
        seq = list(np.asarray(sigma, dtype=object).ravel())
        if len(seq) == len(spatial):
            vals = V.check_sigma(seq, len(spatial), name)
        elif len(seq) == ndim and channel_axis is not None:
            full = V.check_sigma(seq, ndim, name)
            if full[channel_axis] != 0:
                raise ArgumentError(f"{name} has a non-zero entry {full[channel_axis]} for "
                                    f"the channel axis {channel_axis}; channels are not smoothed")
            vals = [full[a] for a in spatial]
        else:
            raise ArgumentError(f"{name} must be a number or have one entry per spatial "
                                f"axis ({len(spatial)}), got {sigma!r}")
    full = [0.0] * ndim
    for a, s in zip(spatial, vals):
        full[a] = s
    return full


@docfiller
def gaussian(image: ArrayLike, sigma: FloatOrSeq = 1, *, mode: Mode = "nearest",
             cval: float = 0, preserve_range: bool = False, truncate: float = 4.0,
             channel_axis: int | None = None, out: NDArray[np.floating[Any]] | None = None,
             output: FloatOutput = None, workers: Workers = None) -> FloatArray:
    """Gaussian smoothing (scikit-image's ``skimage.filters.gaussian``).

    The image is converted to float (float16 -> float32, other non-float
    dtypes by ``img_as_float``, or keeping their values with
    ``preserve_range``) and filtered with
    :func:`pyfilter.ndimage.gaussian_filter` along the spatial axes.

    Parameters
    ----------
    image : array_like
        Input image (real).  float32 and float64 are kept, float16 becomes
        float32; other dtypes are converted by ``img_as_float`` (see
        :func:`sobel`), or to float64 with their values when
        ``preserve_range``.
    sigma : scalar or sequence of scalars, optional
        Standard deviation (>= 0): one value, one per spatial axis, or
        (with ``channel_axis``) one per axis with 0 for the channel axis.
        Default 1.
    %(mode_sk)s
        Default 'nearest'.
    cval : float, optional
        Value outside the image with mode 'constant'.  Default 0.
    preserve_range : bool, optional
        Keep the values of integer images (as float64) instead of scaling
        them to [0, 1] / [-1, 1].  Default False.
    truncate : float, optional
        Radius in standard deviations (>= 0).  Default 4.0.
    %(channel_axis)s
    out : ndarray, optional
        A float array (of the image's shape) to store the result in, as
        scikit-image's ``out``; it is returned.
    output : ndarray or dtype, optional
        A float output array or dtype (an alternative to ``out``; give at
        most one of them).
    %(workers)s

    Returns
    -------
    result : ndarray of float
        The smoothed image, of the shape of ``image``.

    See Also
    --------
    pyfilter.ndimage.gaussian_filter, difference_of_gaussians

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> img = np.zeros((5, 5, 3), dtype=np.uint8); img[2, 2] = 255
    >>> out = filters.gaussian(img, sigma=1, channel_axis=-1)
    >>> out.dtype, round(float(out[2, 2, 0]), 4)
    (dtype('float64'), 0.1592)
    """
    if out is not None:
        if output is not None:
            raise ArgumentError("give either out or output, not both (got out and "
                                f"output={output!r})")
        if not isinstance(out, np.ndarray):
            raise ArgumentTypeError(f"out must be a numpy array, got {type(out).__name__}")
        output, name = out, "out"
    else:
        name = "output"

    def plan(img: NDArray[Any]) -> Plan:
        spatial, c = _spatial(img.ndim, channel_axis)
        full = _sigmas(sigma, img.ndim, spatial, c)
        t = V.check_truncate(truncate)
        code = V.mode_code(mode)
        if output is not None:
            dt = output.dtype if isinstance(output, np.ndarray) else np.dtype(output)
            if dt.kind != "f":
                raise ArgumentError(f"dtype of {name} must be float; got {dt}")
        passes = [p.replace(mode=code) for p in _gauss_passes(img.ndim, img.shape, full, code, t,
                                                              None)]
        return _smooth_call(img, output, [passes], B.Out("term", [0]), code, cval,
                            preserve_range, name)
    return P.run_cached(_CACHE, "gaussian", image, output,
                        (sigma, mode, cval, preserve_range, truncate, channel_axis), plan,
                        workers, _check_image)


@docfiller
def difference_of_gaussians(image: ArrayLike, low_sigma: FloatOrSeq,
                            high_sigma: FloatOrSeq | None = None, *, mode: Mode = "nearest",
                            cval: float = 0, channel_axis: int | None = None,
                            truncate: float = 4.0, workers: Workers = None) -> FloatArray:
    """Band-pass filter: Gaussian(low_sigma) - Gaussian(high_sigma)
    (scikit-image's ``skimage.filters.difference_of_gaussians``).

    Both Gaussians are computed by :func:`pyfilter.ndimage.gaussian_filter`
    on the image converted as :func:`gaussian` converts it (without
    ``preserve_range``).

    Parameters
    ----------
    image : array_like
        Input image (real), converted as in :func:`gaussian`.
    low_sigma : scalar or sequence of scalars
        Standard deviation of the smaller Gaussian: one value, one per
        spatial axis, or (with ``channel_axis``) one per axis with 0 for
        the channel axis.
    high_sigma : scalar or sequence of scalars, optional
        Standard deviation of the larger Gaussian, in the same forms.
        Default ``1.6 * low_sigma``; it must be >= ``low_sigma`` on every
        axis.
    %(mode_sk)s
        Default 'nearest'.
    cval : float, optional
        Value outside the image with mode 'constant'.  Default 0.
    %(channel_axis)s
    truncate : float, optional
        Radius in standard deviations (>= 0).  Default 4.0.
    %(workers)s

    Returns
    -------
    result : ndarray of float
        The band-passed image, of the shape of ``image``.

    See Also
    --------
    gaussian

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.zeros((9, 9)); x[4, 4] = 1
    >>> float(filters.difference_of_gaussians(x, 1)[4, 4]) > 0
    True
    """
    def plan(img: NDArray[Any]) -> Plan:
        spatial, c = _spatial(img.ndim, channel_axis)
        low = _sigmas(low_sigma, img.ndim, spatial, c, "low_sigma")
        if high_sigma is None:
            high = [1.6 * s for s in low]
        else:
            high = _sigmas(high_sigma, img.ndim, spatial, c, "high_sigma")
        if any(h < lo for h, lo in zip(high, low)):
            raise ArgumentError(f"high_sigma must be >= low_sigma on every axis, got "
                                f"low_sigma={low_sigma!r}, high_sigma={high_sigma!r}")
        t = V.check_truncate(truncate)
        code = V.mode_code(mode)
        terms = [_gauss_passes(img.ndim, img.shape, low, code, t, None),
                 _gauss_passes(img.ndim, img.shape, high, code, t, None)]
        return _smooth_call(img, None, terms, B.Out("diff", [0, 1]), code, cval, False)
    return P.run_cached(_CACHE, "difference_of_gaussians", image, None,
                        (low_sigma, high_sigma, mode, cval, channel_axis, truncate), plan,
                        workers, _check_image)


