"""scikit-image style edge, smoothing and gradient filters on the line engine.

Re-exported by :mod:`pyfilter.filters`.  Semantics follow
``skimage.filters`` (0.26): float images keep float32/float64 (float16 ->
float32), other images are converted like ``img_as_float``; edge filters
are N-D correlations with the outer-product kernel (only the input is
extended by ``cval``; zero kernel taps are skipped), normalised
(``[1, 2, 1] / 4`` etc.), the magnitude is ``sqrt(sum g_a**2) /
sqrt(ndim)``, and a mask is eroded (full connectivity, border 0) and
multiplied in.  Every function takes ``channel_axis``: that axis is not
filtered (each channel independently); ``None`` means every axis is
spatial (we never guess a channel axis).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._common import dtypes as D
from .._common import validate as V
from .._common.docs import docfiller
from .._common.errors import ArgumentError, ArgumentTypeError
from .._common.typing import FloatArray, FloatOutput, IntOrSeq, Mode, Plan, Workers
from .._ops import correlate as _core
from .._common import workers as W
from .._ops import bank as B
from .._ops import kernel as K
from .._ops import line as L
from .._ops import plans as P

__all__ = ["sobel", "sobel_h", "sobel_v", "scharr", "scharr_h", "scharr_v",
           "prewitt", "prewitt_h", "prewitt_v", "farid", "farid_h", "farid_v",
           "laplace", "gradient",
           "gradient_magnitude_orientation"]

# (edge, smooth) in correlation orientation (skimage convolves with the
# reversed edge kernel [1, 0, -1])
_OPS = {
    "sobel": ([-1.0, 0.0, 1.0], np.array([1.0, 2.0, 1.0]) / 4),
    "scharr": ([-1.0, 0.0, 1.0], np.array([3.0, 10.0, 3.0]) / 16),
    "prewitt": ([-1.0, 0.0, 1.0], np.full((3,), 1 / 3)),
    "farid": (K.FARID_EDGE, K.FARID_SMOOTH),
    "central": ([-0.5, 0.0, 0.5], None),
}


_CACHE = P.Cache(64)
GradientMethod = Literal["sobel", "scharr", "prewitt", "farid", "central"]


# ---------------------------------------------------------------- helpers
def _spatial(ndim: int, channel_axis: int | None) -> tuple[list[int], int | None]:
    if channel_axis is None:
        return list(range(ndim)), None
    c = V.normalize_axis(channel_axis, ndim, "channel_axis")
    return [a for a in range(ndim) if a != c], c


def _float_output(output: FloatOutput, image: NDArray[Any], shape: Sequence[int] | None = None,
                  name: str = "output") -> tuple[NDArray[Any], NDArray[Any]]:
    shape = image.shape if shape is None else shape
    if output is not None:
        dt = output.dtype if isinstance(output, np.ndarray) else np.dtype(output)
        if dt.kind != "f":
            raise ArgumentError(f"{name} must have a float dtype, got {dt}")
    return V.get_output(output, image, shape)


def _edge_axes(axis: Any, spatial: Sequence[int], channel_axis: int | None,
               ndim: int) -> list[int]:
    if axis is None:
        return list(spatial)
    if np.ndim(axis) == 0:
        axes = [V.normalize_axis(axis, ndim, "axis")]
    else:
        axes = [V.normalize_axis(a, ndim, "axis") for a in axis]
        if len(set(axes)) != len(axes):
            raise ArgumentError(f"axis must not repeat an axis, got {axis!r}")
    for a in axes:
        if a == channel_axis:
            raise ArgumentError(f"axis={axis!r} names the channel axis {channel_axis}")
    return axes


def _erode_mask(mask: NDArray[Any], work_shape: Sequence[int], spatial: Sequence[int],
                channel_axis: int | None, workers: Workers) -> NDArray[np.bool_]:
    """scikit-image's mask rule: binary erosion with full connectivity and
    a zero border (a pixel survives when its whole 3^n neighbourhood is
    inside the mask), broadcast over the channel axis."""
    m = mask.astype(np.uint8)
    counts = np.empty(m.shape, dtype=np.float32)
    passes = [L.make_pass(a, [1.0, 1.0, 1.0], V.MODE_CONSTANT, 0.0, m.shape[a])
              for a in range(m.ndim)]
    _run_bank(m, (counts,), [passes], (B.Out("term", [0]),), 0.0, workers)
    eroded = counts == 3 ** m.ndim
    if channel_axis is not None:
        eroded = np.expand_dims(eroded, channel_axis)
    return eroded


def _check_mask(mask: ArrayLike | None, image: NDArray[Any],
                spatial: Sequence[int]) -> NDArray[np.bool_] | None:
    shape = tuple(image.shape[a] for a in spatial)
    return V.check_mask(mask, shape)


def _derivative_terms(img: NDArray[Any], axes: Sequence[int], spatial: Sequence[int],
                      edge: Any, smooth: Any, mode: int) -> list[list[Any]]:
    """One term per derivative axis in ``axes``: the derivative along it and
    the smoothing along the other spatial axes, the contiguous axis first
    (skipping zero taps, as the N-D kernel does)."""
    order = sorted(spatial, key=lambda b: (abs(img.strides[b]), -b))
    terms = []
    for a in axes:
        t = []
        for b in order:
            if b == a:
                t.append(L.make_pass(b, edge, mode, 0.0, img.shape[b], skip_zero=True))
            elif smooth is not None:
                t.append(L.make_pass(b, smooth, mode, 0.0, img.shape[b], skip_zero=True))
        terms.append(t)
    return terms


def _run_bank(img: NDArray[Any], dsts: tuple[NDArray[Any], ...], terms: list[list[Any]],
              outputs: tuple[Any, ...], cval: float,
              workers: Workers) -> tuple[NDArray[Any], ...]:
    """The bank ``terms`` -> ``outputs`` of ``img`` into ``dsts``, with the
    N-D kernel's boundary semantics (only the image is extended)."""
    if dsts[0].size == 0:
        return dsts
    dtype = D.work_dtype(img.dtype, dsts[0].dtype)
    plan = B.plan(img, dsts, terms, outputs, cval=cval, semantics="nd", dtype=dtype)
    ntaps = sum(max(p.ntaps, 1) for t in terms for p in t) or 1
    nthreads = W.threads_for(workers, dsts[0].size * ntaps)
    plan.run(img, dsts, nthreads)
    W.call_done(nthreads)
    return dsts


def _check_image(image: ArrayLike) -> NDArray[Any]:
    image = V.check_array(image, "image", allow_float16=True)
    if image.dtype.kind == "c":
        raise ArgumentTypeError(f"image must be real, got dtype {image.dtype}")
    return image


def _float_like(img: NDArray[Any]
                ) -> tuple[NDArray[Any], Callable[[NDArray[Any]], NDArray[Any]] | None, float]:
    """How the float conversion of ``img`` (scikit-image's rule) is made:
    (source, prep, scale).  Where the conversion is linear it is folded
    into the filter (``scale`` multiplies the first pass; the image is read
    as it is, ``prep`` None); else ``prep`` converts on every call and
    ``source`` stands for the converted image."""
    scale = D.float_scale(img.dtype)
    if scale is not None:
        return img, None, scale
    return np.empty(img.shape, np.float64), D.img_as_float, 1.0


def _scaled_terms(terms: list[list[Any]], scale: float) -> list[list[Any]]:
    if scale == 1.0:
        return terms
    return [[t[0].scaled(scale)] + list(t[1:]) for t in terms]


def _edges(image: ArrayLike, mask: ArrayLike | None, axis: IntOrSeq | None, mode: Mode,
           cval: float, channel_axis: int | None, output: FloatOutput, workers: Workers,
           op: str, magnitude_div: bool = True) -> FloatArray:
    def plan(raw: NDArray[Any]) -> Plan:
        img, prep, scale = _float_like(raw)
        spatial, c = _spatial(img.ndim, channel_axis)
        axes = _edge_axes(axis, spatial, c, img.ndim)
        m = _check_mask(mask, img, spatial)
        code = V.mode_code(mode)
        cv = V.check_cval(cval, False)
        edge, smooth = _OPS[op]
        result, target = _float_output(output, np.empty((0,) * img.ndim,
                                                        D.float_dtype_of(img.dtype)),
                                       img.shape)
        terms = _scaled_terms(_derivative_terms(img, axes, spatial, edge, smooth, code),
                              scale)
        if len(axes) > 1:
            post = float(np.sqrt(len(spatial))) if magnitude_div else None
            out = B.Out("hypot", range(len(axes)), div=post)
        else:
            out = B.Out("term", [0])
        # the N-D semantics extend the image read as it is: cval in its units
        call = B.call(img, target, terms, (out,), cval=cv / scale, semantics="nd",
                      dtype=D.work_dtype(img.dtype, target.dtype))
        call.prep = prep
        if m is not None:
            # the mask is part of the call's signature: erode it once
            eroded = _erode_mask(m, img.shape, spatial, c, workers)
            run = call.run

            def masked(pl: Any, inp: NDArray[Any], tgt: NDArray[Any], nthreads: int) -> None:
                run(pl, inp, tgt, nthreads)
                tgt *= eroded
            call.run = masked
        return call
    return P.run_cached(_CACHE, ("edges", op, magnitude_div), image, output,
                        (mask, axis, mode, cval, channel_axis), plan, workers, _check_image)


# ---------------------------------------------------------------- edges
def _edge_filter(image: ArrayLike, *, op: str, mask: ArrayLike | None, axis: IntOrSeq | None,
                 mode: Mode, cval: float, channel_axis: int | None, output: FloatOutput,
                 workers: Workers) -> FloatArray:
    """The body of :func:`sobel`, :func:`scharr`, :func:`prewitt` and
    :func:`farid`: the operator ``op`` of ``_OPS``."""
    return _edges(image, mask, axis, mode, cval, channel_axis, output, workers, op)


def _edge_filter_2d(image: ArrayLike, *, op: str, name: str, axis: int,
                    mask: ArrayLike | None, channel_axis: int | None,
                    workers: Workers) -> FloatArray:
    """The body of the ``_h`` / ``_v`` variants: operator ``op`` along the
    spatial axis number ``axis`` (0: rows, 1: columns) of a 2-D image."""
    img = V.check_array(image, "image", allow_float16=True)
    spatial, _ = _spatial(img.ndim, channel_axis)
    if len(spatial) != 2:
        raise ArgumentError(f"{name} needs a 2-D image (spatial shape), got an "
                            f"image of shape {img.shape} with channel_axis={channel_axis}")
    return _edges(img, mask, spatial[axis], "reflect", 0.0, channel_axis, None,
                  workers, op)


@docfiller
def sobel(image: ArrayLike, mask: ArrayLike | None = None, *, axis: IntOrSeq | None = None,
          mode: Mode = "reflect", cval: float = 0.0, channel_axis: int | None = None,
          output: FloatOutput = None, workers: Workers = None) -> FloatArray:
    """Edges with the Sobel operator (scikit-image's ``skimage.filters.sobel``).

    The derivative ``[-1, 0, 1]`` along each axis in ``axis`` (correlation
    orientation: scikit-image convolves with ``[1, 0, -1]``), smoothed with
    ``[1, 2, 1] / 4`` along every other spatial axis; with several axes
    (the default: all spatial axes) the magnitude
    ``sqrt(sum_a g_a**2 / ndim)``.  For one axis this is
    ``scipy.ndimage.sobel(image, axis) / 4**(ndim - 1)`` (except for mode
    'constant' with a nonzero ``cval``, where scipy pads every pass).  2-D
    magnitudes run in one sweep (both derivatives and the square root per
    row).

    Parameters
    ----------
    %(image_float)s
    %(mask)s
    %(edge_axis)s
    %(mode_sk)s
        Default 'reflect'.
    %(cval_nd)s
    %(channel_axis)s
    %(output_float)s
    %(workers)s

    Returns
    -------
    result : ndarray of float
        The derivative, or the magnitude, of the shape of ``image``.

    See Also
    --------
    sobel_h, sobel_v, gradient, pyfilter.ndimage.sobel, pyfilter.kernels.sobel

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.tile(np.arange(5.0), (5, 1))
    >>> filters.sobel(x, axis=1)[2]
    array([1., 2., 2., 2., 1.])
    >>> filters.sobel(x)[2]
    array([0.70710678, 1.41421356, 1.41421356, 1.41421356, 0.70710678])
    """
    return _edge_filter(image, op="sobel", mask=mask, axis=axis, mode=mode, cval=cval,
                        channel_axis=channel_axis, output=output, workers=workers)


@docfiller
def sobel_h(image: ArrayLike, mask: ArrayLike | None = None, *, channel_axis: int | None = None,
            workers: Workers = None) -> FloatArray:
    """Horizontal edges with the Sobel operator (``skimage.filters.sobel_h``).

    ``sobel(image, mask, axis=0)`` for a 2-D image: the derivative along
    the rows (the first spatial axis), mode 'reflect'.

    Parameters
    ----------
    %(image_float)s
        It must have two spatial axes.
    %(mask)s
    %(channel_axis)s
    %(workers)s

    Returns
    -------
    result : ndarray of float
        The derivative along the first spatial axis, of the shape of
        ``image``.

    See Also
    --------
    sobel, sobel_v

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.zeros((5, 5)); x[:, 2:] = 1
    >>> filters.sobel_h(x).shape
    (5, 5)
    >>> float(abs(filters.sobel_h(x)).max()), float(filters.sobel_h(x.T)[1, 2])
    (0.0, 1.0)
    """
    return _edge_filter_2d(image, op="sobel", name="sobel_h", axis=0, mask=mask,
                           channel_axis=channel_axis, workers=workers)


@docfiller
def sobel_v(image: ArrayLike, mask: ArrayLike | None = None, *, channel_axis: int | None = None,
            workers: Workers = None) -> FloatArray:
    """Vertical edges with the Sobel operator (``skimage.filters.sobel_v``).

    ``sobel(image, mask, axis=1)`` for a 2-D image: the derivative along
    the columns (the second spatial axis), mode 'reflect'.

    Parameters
    ----------
    %(image_float)s
        It must have two spatial axes.
    %(mask)s
    %(channel_axis)s
    %(workers)s

    Returns
    -------
    result : ndarray of float
        The derivative along the second spatial axis, of the shape of
        ``image``.

    See Also
    --------
    sobel, sobel_h

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.zeros((5, 5)); x[:, 2:] = 1
    >>> filters.sobel_v(x).shape
    (5, 5)
    >>> float(filters.sobel_v(x)[2, 1]), float(abs(filters.sobel_v(x.T)).max())
    (1.0, 0.0)
    """
    return _edge_filter_2d(image, op="sobel", name="sobel_v", axis=1, mask=mask,
                           channel_axis=channel_axis, workers=workers)


@docfiller
def scharr(image: ArrayLike, mask: ArrayLike | None = None, *, axis: IntOrSeq | None = None,
           mode: Mode = "reflect", cval: float = 0.0, channel_axis: int | None = None,
           output: FloatOutput = None, workers: Workers = None) -> FloatArray:
    """Edges with the Scharr operator (scikit-image's ``skimage.filters.scharr``).

    The derivative ``[-1, 0, 1]`` along each axis in ``axis`` (correlation
    orientation), smoothed with ``[3, 10, 3] / 16`` along every other
    spatial axis; with several axes (the default: all spatial axes) the
    magnitude ``sqrt(sum_a g_a**2 / ndim)``.  2-D magnitudes run in one
    sweep.

    Parameters
    ----------
    %(image_float)s
    %(mask)s
    %(edge_axis)s
    %(mode_sk)s
        Default 'reflect'.
    %(cval_nd)s
    %(channel_axis)s
    %(output_float)s
    %(workers)s

    Returns
    -------
    result : ndarray of float
        The derivative, or the magnitude, of the shape of ``image``.

    See Also
    --------
    scharr_h, scharr_v, sobel, pyfilter.kernels.scharr

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.tile(np.arange(5.0), (5, 1))
    >>> filters.scharr(x, axis=1)[2]
    array([1., 2., 2., 2., 1.])
    """
    return _edge_filter(image, op="scharr", mask=mask, axis=axis, mode=mode, cval=cval,
                        channel_axis=channel_axis, output=output, workers=workers)


@docfiller
def scharr_h(image: ArrayLike, mask: ArrayLike | None = None, *, channel_axis: int | None = None,
             workers: Workers = None) -> FloatArray:
    """Horizontal edges with the Scharr operator (``skimage.filters.scharr_h``).

    ``scharr(image, mask, axis=0)`` for a 2-D image: the derivative along
    the rows (the first spatial axis), mode 'reflect'.

    Parameters
    ----------
    %(image_float)s
        It must have two spatial axes.
    %(mask)s
    %(channel_axis)s
    %(workers)s

    Returns
    -------
    result : ndarray of float
        The derivative along the first spatial axis, of the shape of
        ``image``.

    See Also
    --------
    scharr, scharr_v

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.zeros((5, 5)); x[:, 2:] = 1
    >>> filters.scharr_h(x).shape
    (5, 5)
    >>> float(abs(filters.scharr_h(x)).max()), float(filters.scharr_h(x.T)[1, 2])
    (0.0, 1.0)
    """
    return _edge_filter_2d(image, op="scharr", name="scharr_h", axis=0, mask=mask,
                           channel_axis=channel_axis, workers=workers)


@docfiller
def scharr_v(image: ArrayLike, mask: ArrayLike | None = None, *, channel_axis: int | None = None,
             workers: Workers = None) -> FloatArray:
    """Vertical edges with the Scharr operator (``skimage.filters.scharr_v``).

    ``scharr(image, mask, axis=1)`` for a 2-D image: the derivative along
    the columns (the second spatial axis), mode 'reflect'.

    Parameters
    ----------
    %(image_float)s
        It must have two spatial axes.
    %(mask)s
    %(channel_axis)s
    %(workers)s

    Returns
    -------
    result : ndarray of float
        The derivative along the second spatial axis, of the shape of
        ``image``.

    See Also
    --------
    scharr, scharr_h

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.zeros((5, 5)); x[:, 2:] = 1
    >>> filters.scharr_v(x).shape
    (5, 5)
    >>> float(filters.scharr_v(x)[2, 1]), float(abs(filters.scharr_v(x.T)).max())
    (1.0, 0.0)
    """
    return _edge_filter_2d(image, op="scharr", name="scharr_v", axis=1, mask=mask,
                           channel_axis=channel_axis, workers=workers)


@docfiller
def prewitt(image: ArrayLike, mask: ArrayLike | None = None, *, axis: IntOrSeq | None = None,
            mode: Mode = "reflect", cval: float = 0.0, channel_axis: int | None = None,
            output: FloatOutput = None, workers: Workers = None) -> FloatArray:
    """Edges with the Prewitt operator (scikit-image's ``skimage.filters.prewitt``).

    The derivative ``[-1, 0, 1]`` along each axis in ``axis`` (correlation
    orientation), smoothed with ``[1, 1, 1] / 3`` along every other
    spatial axis; with several axes (the default: all spatial axes) the
    magnitude ``sqrt(sum_a g_a**2 / ndim)``.  2-D magnitudes run in one
    sweep.

    Parameters
    ----------
    %(image_float)s
    %(mask)s
    %(edge_axis)s
    %(mode_sk)s
        Default 'reflect'.
    %(cval_nd)s
    %(channel_axis)s
    %(output_float)s
    %(workers)s

    Returns
    -------
    result : ndarray of float
        The derivative, or the magnitude, of the shape of ``image``.

    See Also
    --------
    prewitt_h, prewitt_v, sobel, pyfilter.ndimage.prewitt

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.tile(np.arange(5.0), (5, 1))
    >>> filters.prewitt(x, axis=1)[2]
    array([1., 2., 2., 2., 1.])
    """
    return _edge_filter(image, op="prewitt", mask=mask, axis=axis, mode=mode, cval=cval,
                        channel_axis=channel_axis, output=output, workers=workers)


@docfiller
def prewitt_h(image: ArrayLike, mask: ArrayLike | None = None, *, channel_axis: int | None = None,
              workers: Workers = None) -> FloatArray:
    """Horizontal edges with the Prewitt operator (``skimage.filters.prewitt_h``).

    ``prewitt(image, mask, axis=0)`` for a 2-D image: the derivative along
    the rows (the first spatial axis), mode 'reflect'.

    Parameters
    ----------
    %(image_float)s
        It must have two spatial axes.
    %(mask)s
    %(channel_axis)s
    %(workers)s

    Returns
    -------
    result : ndarray of float
        The derivative along the first spatial axis, of the shape of
        ``image``.

    See Also
    --------
    prewitt, prewitt_v

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.zeros((5, 5)); x[:, 2:] = 1
    >>> filters.prewitt_h(x).shape
    (5, 5)
    >>> float(abs(filters.prewitt_h(x)).max()), float(filters.prewitt_h(x.T)[1, 2])
    (0.0, 1.0)
    """
    return _edge_filter_2d(image, op="prewitt", name="prewitt_h", axis=0, mask=mask,
                           channel_axis=channel_axis, workers=workers)


@docfiller
def prewitt_v(image: ArrayLike, mask: ArrayLike | None = None, *, channel_axis: int | None = None,
              workers: Workers = None) -> FloatArray:
    """Vertical edges with the Prewitt operator (``skimage.filters.prewitt_v``).

    ``prewitt(image, mask, axis=1)`` for a 2-D image: the derivative along
    the columns (the second spatial axis), mode 'reflect'.

    Parameters
    ----------
    %(image_float)s
        It must have two spatial axes.
    %(mask)s
    %(channel_axis)s
    %(workers)s

    Returns
    -------
    result : ndarray of float
        The derivative along the second spatial axis, of the shape of
        ``image``.

    See Also
    --------
    prewitt, prewitt_h

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.zeros((5, 5)); x[:, 2:] = 1
    >>> filters.prewitt_v(x).shape
    (5, 5)
    >>> float(filters.prewitt_v(x)[2, 1]), float(abs(filters.prewitt_v(x.T)).max())
    (1.0, 0.0)
    """
    return _edge_filter_2d(image, op="prewitt", name="prewitt_v", axis=1, mask=mask,
                           channel_axis=channel_axis, workers=workers)


@docfiller
def farid(image: ArrayLike, mask: ArrayLike | None = None, *, axis: IntOrSeq | None = None,
          mode: Mode = "reflect", cval: float = 0.0, channel_axis: int | None = None,
          output: FloatOutput = None, workers: Workers = None) -> FloatArray:
    """Edges with the Farid operator (scikit-image's ``skimage.filters.farid``).

    Farid & Simoncelli's optimised 5-tap derivative along each axis in
    ``axis``, with the matching 5-tap interpolator along every other
    spatial axis (the weights scikit-image uses, see
    :func:`pyfilter.kernels.farid`); with several axes (the default: all
    spatial axes) the magnitude ``sqrt(sum_a g_a**2 / ndim)``.  2-D
    magnitudes run in one sweep.

    Parameters
    ----------
    %(image_float)s
    %(mask)s
    %(edge_axis)s
    %(mode_sk)s
        Default 'reflect'.
    %(cval_nd)s
    %(channel_axis)s
    %(output_float)s
    %(workers)s

    Returns
    -------
    result : ndarray of float
        The derivative, or the magnitude, of the shape of ``image``.

    See Also
    --------
    farid_h, farid_v, sobel

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.tile(np.arange(5.0), (5, 1))
    >>> filters.farid(x, axis=1)[2]
    array([0.38629475, 0.88219327, 0.99179703, 0.88219327, 0.38629475])
    """
    return _edge_filter(image, op="farid", mask=mask, axis=axis, mode=mode, cval=cval,
                        channel_axis=channel_axis, output=output, workers=workers)


@docfiller
def farid_h(image: ArrayLike, mask: ArrayLike | None = None, *, channel_axis: int | None = None,
            workers: Workers = None) -> FloatArray:
    """Horizontal edges with the Farid operator (``skimage.filters.farid_h``).

    ``farid(image, mask, axis=0)`` for a 2-D image: the derivative along
    the rows (the first spatial axis), mode 'reflect'.  (scikit-image's
    ``farid_h`` takes ``mask`` as a keyword only; here it may also be
    positional.)

    Parameters
    ----------
    %(image_float)s
        It must have two spatial axes.
    %(mask)s
    %(channel_axis)s
    %(workers)s

    Returns
    -------
    result : ndarray of float
        The derivative along the first spatial axis, of the shape of
        ``image``.

    See Also
    --------
    farid, farid_v

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.zeros((5, 5)); x[:, 2:] = 1
    >>> filters.farid_h(x).shape
    (5, 5)
    >>> float(abs(filters.farid_h(x)).max()), round(float(filters.farid_h(x.T)[1, 2]), 4)
    (0.0, 0.3863)
    """
    return _edge_filter_2d(image, op="farid", name="farid_h", axis=0, mask=mask,
                           channel_axis=channel_axis, workers=workers)


@docfiller
def farid_v(image: ArrayLike, mask: ArrayLike | None = None, *, channel_axis: int | None = None,
            workers: Workers = None) -> FloatArray:
    """Vertical edges with the Farid operator (``skimage.filters.farid_v``).

    ``farid(image, mask, axis=1)`` for a 2-D image: the derivative along
    the columns (the second spatial axis), mode 'reflect'.  (scikit-image's
    ``farid_v`` takes ``mask`` as a keyword only; here it may also be
    positional.)

    Parameters
    ----------
    %(image_float)s
        It must have two spatial axes.
    %(mask)s
    %(channel_axis)s
    %(workers)s

    Returns
    -------
    result : ndarray of float
        The derivative along the second spatial axis, of the shape of
        ``image``.

    See Also
    --------
    farid, farid_h

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.zeros((5, 5)); x[:, 2:] = 1
    >>> filters.farid_v(x).shape
    (5, 5)
    >>> round(float(filters.farid_v(x)[2, 1]), 4), float(abs(filters.farid_v(x.T)).max())
    (0.3863, 0.0)
    """
    return _edge_filter_2d(image, op="farid", name="farid_v", axis=1, mask=mask,
                           channel_axis=channel_axis, workers=workers)


# ---------------------------------------------------------------- gradients
@docfiller
def gradient(image: ArrayLike, *, method: GradientMethod = "sobel", mode: Mode = "reflect",
             cval: float = 0.0, channel_axis: int | None = None,
             workers: Workers = None) -> tuple[FloatArray, ...]:
    """One derivative per spatial axis.

    ``method`` 'sobel', 'scharr', 'prewitt' or 'farid': the normalised
    derivative of :func:`sobel` etc. with ``axis=a`` (smoothing along the
    other spatial axes); 'central': ``(x[i+1] - x[i-1]) / 2`` along ``a``
    only (numpy.gradient's interior formula; the borders follow ``mode``).

    Parameters
    ----------
    %(image_float)s
    method : {'sobel', 'scharr', 'prewitt', 'farid', 'central'}, optional
        The derivative operator.  Default 'sobel'.
    %(mode_sk)s
        Default 'reflect'.
    %(cval_nd)s
    %(channel_axis)s
    %(workers)s

    Returns
    -------
    gradients : tuple of ndarray
        One float array per spatial axis, in axis order, each of the shape
        of ``image``.

    See Also
    --------
    gradient_magnitude_orientation, sobel

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> y, x = np.mgrid[0:5, 0:5].astype(float)
    >>> gr, gc = filters.gradient(3 * y + x, method='central', mode='nearest')
    >>> float(gr[2, 2]), float(gc[2, 2])
    (3.0, 1.0)
    """
    def plan(raw: NDArray[Any]) -> Plan:
        if not isinstance(method, str) or method not in _OPS:
            raise ArgumentError(f"method must be one of {tuple(_OPS)}, got {method!r}")
        img, prep, scale = _float_like(raw)
        spatial, c = _spatial(img.ndim, channel_axis)
        code = V.mode_code(mode)
        cv = V.check_cval(cval, False)
        edge, smooth = _OPS[method]
        terms = _scaled_terms(_derivative_terms(img, spatial, spatial, edge, smooth, code),
                              scale)
        like = np.empty(img.shape, D.float_dtype_of(img.dtype))
        call = B.multi_call(img, [like] * len(spatial), terms,
                            [B.Out("term", [i]) for i in range(len(spatial))],
                            cval=cv / scale, semantics="nd",
                            dtype=D.work_dtype(img.dtype, like.dtype))
        call.prep = prep
        return call
    return P.run_cached(_CACHE, "gradient", image, None,
                        (method, mode, cval, channel_axis), plan, workers, _check_image)


@docfiller
def gradient_magnitude_orientation(image: ArrayLike, *, method: GradientMethod = "sobel",
                                   mode: Mode = "reflect", cval: float = 0.0,
                                   channel_axis: int | None = None,
                                   workers: Workers = None) -> tuple[FloatArray, FloatArray]:
    """Gradient magnitude and orientation of a 2-D image in one sweep.

    The magnitude is scikit-image's edge magnitude
    ``sqrt((g_row**2 + g_col**2) / 2)`` (equal to ``filters.sobel(image)``
    for ``method='sobel'``), the orientation ``atan2(g_row, g_col)`` in
    radians, where ``g_row, g_col = filters.gradient(image, method=...)``.

    Parameters
    ----------
    %(image_float)s
        It must have two spatial axes (a 2-D image, or 3-D with
        ``channel_axis``).
    method : {'sobel', 'scharr', 'prewitt', 'farid', 'central'}, optional
        The derivative operator, as in :func:`gradient`.  Default 'sobel'.
    %(mode_sk)s
        Default 'reflect'.
    %(cval_nd)s
    %(channel_axis)s
    %(workers)s

    Returns
    -------
    magnitude, orientation : ndarray
        Two float arrays of the shape of ``image`` (orientation in
        radians, in ``[-pi, pi]``).

    See Also
    --------
    gradient, sobel

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> y, x = np.mgrid[0:6, 0:6].astype(float)
    >>> mag, ang = filters.gradient_magnitude_orientation(x + 2 * y, method='central')
    >>> round(float(ang[3, 3]), 4), round(float(mag[3, 3]), 4)
    (1.1071, 1.5811)
    """
    def plan(raw: NDArray[Any]) -> Plan:
        if not isinstance(method, str) or method not in _OPS:
            raise ArgumentError(f"method must be one of {tuple(_OPS)}, got {method!r}")
        img, prep, scale = _float_like(raw)
        spatial, c = _spatial(img.ndim, channel_axis)
        if len(spatial) != 2:
            raise ArgumentError(f"gradient_magnitude_orientation needs a 2-D image "
                                f"(spatial shape), got shape {img.shape} with "
                                f"channel_axis={channel_axis}")
        code = V.mode_code(mode)
        cv = V.check_cval(cval, False)
        edge, smooth = _OPS[method]
        terms = _scaled_terms(_derivative_terms(img, spatial, spatial, edge, smooth, code),
                              scale)
        like = np.empty(img.shape, D.float_dtype_of(img.dtype))
        call = B.multi_call(img, [like, like], terms,
                            [B.Out("hypot", [0, 1], div=float(np.sqrt(2.0))),
                             B.Out("atan2", [0, 1])],
                            cval=cv / scale, semantics="nd",
                            dtype=D.work_dtype(img.dtype, like.dtype))
        call.prep = prep
        return call
    return P.run_cached(_CACHE, "gradient_magnitude_orientation", image, None,
                        (method, mode, cval, channel_axis), plan, workers, _check_image)


@docfiller
def laplace(image: ArrayLike, ksize: int = 3, mask: ArrayLike | None = None, *,
            mode: Mode = "reflect", cval: float = 0.0, channel_axis: int | None = None,
            output: FloatOutput = None, workers: Workers = None) -> FloatArray:
    """Laplace edge filter (scikit-image's ``skimage.filters.laplace``).

    Correlation with the N-D operator ``2 * ndim`` at the centre and -1 at
    the ``2 * ndim`` face neighbours (the spatial axes), so edges give a
    positive response on their bright side; mask as :func:`sobel`.

    Parameters
    ----------
    %(image_float)s
    ksize : int, optional
        Only 3 (scikit-image accepts and ignores other values; pyfilter
        rejects them with ValueError).
    %(mask)s
    %(mode_sk)s
        Default 'reflect'.  (scikit-image's ``laplace`` has no ``mode``: it
        uses 'reflect'.)
    %(cval_nd)s
    %(channel_axis)s
    %(output_float)s
    %(workers)s

    Returns
    -------
    result : ndarray of float
        The filtered image, of the shape of ``image``.

    See Also
    --------
    pyfilter.ndimage.laplace, pyfilter.kernels.laplacian

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.zeros((5, 5)); x[2, 2] = 1
    >>> filters.laplace(x)[1:4, 2]
    array([-1.,  4., -1.])
    """
    if V.as_int(ksize, "ksize") != 3:
        raise ArgumentError(f"ksize must be 3 (the 3^n Laplace operator), got {ksize!r}")

    def plan(img: NDArray[Any]) -> Plan:
        spatial, c = _spatial(img.ndim, channel_axis)
        m = _check_mask(mask, img, spatial)
        code = V.mode_code(mode)
        cv = V.check_cval(cval, False)
        kshape = [3 if a in spatial else 1 for a in range(img.ndim)]
        w = np.zeros(kshape)
        center = tuple(1 if a in spatial else 0 for a in range(img.ndim))
        w[center] = 2.0 * len(spatial)
        for a in spatial:
            for d in (0, 2):
                idx = list(center)
                idx[a] = d
                w[tuple(idx)] = -1.0
        base = [-(k // 2) for k in kshape]
        n = img.ndim
        if output is not None:
            _float_output(output, img)
        core = _core.call(img, w, output, [code] * n, cv, base, [1] * n, [1] * n, img.shape)
        if m is None:
            core.prep = D.img_as_float
            return core
        eroded = _erode_mask(m, img.shape, spatial, c, workers)

        def run(pl: Any, inp: NDArray[Any], tgt: NDArray[Any], nthreads: int) -> None:
            core.run(pl, inp, tgt, nthreads)
            tgt *= eroded
        return P.Call(core.build, run, core.out_shape, core.out_dtype, core.work, core.halo,
                      prep=D.img_as_float)
    return P.run_cached(_CACHE, "laplace", image, output, (mask, mode, cval, channel_axis),
                        plan, workers, D.img_as_float)
