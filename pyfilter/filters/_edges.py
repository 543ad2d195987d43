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
import numpy as np

from .._common import dtypes as D
from .._common import validate as V
from .._common.errors import ArgumentError
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


_CACHE = P.Cache(32)


# ---------------------------------------------------------------- helpers
def _spatial(ndim, channel_axis):
    if channel_axis is None:
        return list(range(ndim)), None
    c = V.normalize_axis(channel_axis, ndim, "channel_axis")
    return [a for a in range(ndim) if a != c], c


def _float_output(output, image, shape=None, name="output"):
    shape = image.shape if shape is None else shape
    if output is not None:
        dt = output.dtype if isinstance(output, np.ndarray) else np.dtype(output)
        if dt.kind != "f":
            raise ArgumentError(f"{name} must have a float dtype, got {dt}")
    return V.get_output(output, image, shape)


def _edge_axes(axis, spatial, channel_axis, ndim):
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


def _erode_mask(mask, work_shape, spatial, channel_axis, workers):
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


def _check_mask(mask, image, spatial):
    shape = tuple(image.shape[a] for a in spatial)
    return V.check_mask(mask, shape)


def _derivative_terms(img, axes, spatial, edge, smooth, mode):
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


def _run_bank(img, dsts, terms, outputs, cval, workers):
    """The bank ``terms`` -> ``outputs`` of ``img`` into ``dsts``, with the
    N-D kernel's boundary semantics (only the image is extended)."""
    if dsts[0].size == 0:
        return dsts
    dtype = D.work_dtype(img.dtype, dsts[0].dtype)
    plan = B.plan(img, dsts, terms, outputs, cval=cval, semantics="nd", dtype=dtype)
    ntaps = sum(max(p.ntaps, 1) for t in terms for p in t) or 1
    plan.run(img, dsts, W.threads_for(workers, dsts[0].size * ntaps))
    return dsts


def _edges(image, mask, axis, mode, cval, channel_axis, output, workers, op,
           magnitude_div=True):
    img = D.img_as_float(image)
    spatial, c = _spatial(img.ndim, channel_axis)
    axes = _edge_axes(axis, spatial, c, img.ndim)
    m = _check_mask(mask, img, spatial)
    code = V.mode_code(mode)
    cval = V.check_cval(cval, False)
    edge, smooth = _OPS[op]
    result, target = _float_output(output, img)
    if target.size == 0:
        return V.finish_output(result, target)
    terms = _derivative_terms(img, axes, spatial, edge, smooth, code)
    if len(axes) > 1:
        post = float(np.sqrt(len(spatial))) if magnitude_div else None
        out = B.Out("hypot", range(len(axes)), div=post)
    else:
        out = B.Out("term", [0])
    _run_bank(img, (target,), terms, (out,), cval, workers)
    if m is not None:
        target *= _erode_mask(m, img.shape, spatial, c, workers)
    return V.finish_output(result, target)


# ---------------------------------------------------------------- edges
_EDGE_DOC = """{title}

    scikit-image's ``skimage.filters.{name}``: the normalised derivative
    {kernel} along each axis in ``axis`` (smoothing along every other
    spatial axis); with several axes (the default: all spatial axes) the
    magnitude ``sqrt(sum g_a**2) / sqrt(ndim)``.  2-D magnitudes run in one
    sweep (both derivatives and the square root per row).

    Parameters
    ----------
    image : array_like
        Input image; float32/float64 kept (float16 -> float32), other
        dtypes converted like ``img_as_float``.
    mask : array_like, optional
        Only pixels where the mask (eroded by one pixel, full
        connectivity, zero border) is nonzero are kept; shape: the
        image's spatial shape.
    axis : int or sequence of int, optional
        Derivative axis, or axes for a magnitude.  Default: all spatial axes.
    mode : str, optional
        Boundary mode (scipy's names).  Default 'reflect'.
    cval : float, optional
        Value outside the image for mode 'constant' (the N-D kernel's
        semantics: only the input is extended).
    channel_axis : int, optional
        Axis of channels, each filtered independently (not smoothed
        across); ``ndim`` then counts the spatial axes only.
    output : ndarray or dtype, optional
        Float output array or dtype.
    workers : int, optional
        Number of threads (scipy.fft semantics).

    Returns
    -------
    result : ndarray of float

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.tile(np.arange(5.0), (5, 1))
    >>> filters.{name}(x, axis=1)[2]
    {example}
    """

_EDGE_H_DOC = """{title}

    ``{name}(image, mask, axis={axis})`` for a 2-D image (scikit-image's
    ``skimage.filters.{name}_{hv}``).

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.zeros((5, 5)); x[:, 2:] = 1
    >>> filters.{name}_{hv}(x).shape
    (5, 5)
    """


def _make_edge(op, kernel_text, example):
    def f(image, mask=None, *, axis=None, mode="reflect", cval=0.0, channel_axis=None,
          output=None, workers=None):
        return _edges(image, mask, axis, mode, cval, channel_axis, output, workers, op)
    f.__name__ = f.__qualname__ = op
    f.__doc__ = _EDGE_DOC.format(title=f"Edges with the {op.capitalize()} operator.",
                                 name=op, kernel=kernel_text, example=example)
    return f


def _make_hv(op, axis, hv):
    def f(image, mask=None, *, channel_axis=None, workers=None):
        img = V.check_array(image, "image", allow_float16=True)
        spatial, _ = _spatial(img.ndim, channel_axis)
        if len(spatial) != 2:
            raise ArgumentError(f"{op}_{hv} needs a 2-D image (spatial shape), got an "
                                f"image of shape {img.shape} with channel_axis={channel_axis}")
        return _edges(img, mask, spatial[axis], "reflect", 0.0, channel_axis, None,
                      workers, op)
    f.__name__ = f.__qualname__ = f"{op}_{hv}"
    f.__doc__ = _EDGE_H_DOC.format(
        title=f"{'Horizontal' if hv == 'h' else 'Vertical'} edges with the "
              f"{op.capitalize()} operator.", name=op, axis=axis, hv=hv)
    return f


sobel = _make_edge("sobel", "(``[-1, 0, 1]`` times ``[1, 2, 1] / 4``)",
                   "array([1., 2., 2., 2., 1.])")
scharr = _make_edge("scharr", "(``[-1, 0, 1]`` times ``[3, 10, 3] / 16``)",
                    "array([1., 2., 2., 2., 1.])")
prewitt = _make_edge("prewitt", "(``[-1, 0, 1]`` times ``[1, 1, 1] / 3``)",
                     "array([1., 2., 2., 2., 1.])")
farid = _make_edge("farid", "(Farid & Simoncelli's 5-tap derivative and interpolator)",
                   "array([0.38629475, 0.88219327, 0.99179703, 0.88219327, 0.38629475])")
sobel_h = _make_hv("sobel", 0, "h")
sobel_v = _make_hv("sobel", 1, "v")
scharr_h = _make_hv("scharr", 0, "h")
scharr_v = _make_hv("scharr", 1, "v")
prewitt_h = _make_hv("prewitt", 0, "h")
prewitt_v = _make_hv("prewitt", 1, "v")
farid_h = _make_hv("farid", 0, "h")
farid_v = _make_hv("farid", 1, "v")


# ---------------------------------------------------------------- gradients
def gradient(image, *, method="sobel", mode="reflect", cval=0.0, channel_axis=None,
             workers=None):
    """One derivative per spatial axis.

    ``method`` 'sobel', 'scharr', 'prewitt' or 'farid': the normalised
    derivative of :func:`sobel` etc. with ``axis=a`` (smoothing along the
    other spatial axes); 'central': ``(x[i+1] - x[i-1]) / 2`` along ``a``
    only (numpy.gradient's interior formula; the borders follow ``mode``).

    Parameters
    ----------
    image : array_like
    method : {'sobel', 'scharr', 'prewitt', 'farid', 'central'}
    mode : str, optional
        Boundary mode.  Default 'reflect'.
    cval : float, optional
    channel_axis : int, optional
        Axis that is not differentiated (each channel independently).
    workers : int, optional

    Returns
    -------
    gradients : tuple of ndarray
        One float array per spatial axis, in axis order.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> y, x = np.mgrid[0:5, 0:5].astype(float)
    >>> gr, gc = filters.gradient(3 * y + x, method='central', mode='nearest')
    >>> float(gr[2, 2]), float(gc[2, 2])
    (3.0, 1.0)
    """
    if not isinstance(method, str) or method not in _OPS:
        raise ArgumentError(f"method must be one of {tuple(_OPS)}, got {method!r}")
    img = D.img_as_float(image)
    spatial, c = _spatial(img.ndim, channel_axis)
    code = V.mode_code(mode)
    cval = V.check_cval(cval, False)
    edge, smooth = _OPS[method]
    outs = tuple(np.empty(img.shape, dtype=img.dtype) for _ in spatial)
    if img.size and outs:
        terms = _derivative_terms(img, spatial, spatial, edge, smooth, code)
        _run_bank(img, outs, terms, tuple(B.Out("term", [i]) for i in range(len(spatial))),
                  cval, workers)
    return outs


def gradient_magnitude_orientation(image, *, method="sobel", mode="reflect", cval=0.0,
                                   channel_axis=None, workers=None):
    """Gradient magnitude and orientation of a 2-D image in one sweep.

    The magnitude is scikit-image's edge magnitude
    ``sqrt((g_row**2 + g_col**2) / 2)`` (equal to ``filters.sobel(image)``
    for ``method='sobel'``), the orientation ``atan2(g_row, g_col)`` in
    radians, where ``g_row, g_col = filters.gradient(image, method=...)``.

    Parameters
    ----------
    image : array_like
        2-D image (or 3-D with ``channel_axis``).
    method : {'sobel', 'scharr', 'prewitt', 'farid', 'central'}
    mode : str, optional
        Boundary mode.  Default 'reflect'.
    cval : float, optional
    channel_axis : int, optional
    workers : int, optional

    Returns
    -------
    magnitude, orientation : ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> y, x = np.mgrid[0:6, 0:6].astype(float)
    >>> mag, ang = filters.gradient_magnitude_orientation(x + 2 * y, method='central')
    >>> round(float(ang[3, 3]), 4), round(float(mag[3, 3]), 4)
    (1.1071, 1.5811)
    """
    if not isinstance(method, str) or method not in _OPS:
        raise ArgumentError(f"method must be one of {tuple(_OPS)}, got {method!r}")
    img = D.img_as_float(image)
    spatial, c = _spatial(img.ndim, channel_axis)
    if len(spatial) != 2:
        raise ArgumentError(f"gradient_magnitude_orientation needs a 2-D image (spatial "
                            f"shape), got shape {img.shape} with channel_axis={channel_axis}")
    code = V.mode_code(mode)
    cval = V.check_cval(cval, False)
    edge, smooth = _OPS[method]
    mag = np.empty(img.shape, dtype=img.dtype)
    ang = np.empty(img.shape, dtype=img.dtype)
    if img.size == 0:
        return mag, ang
    terms = _derivative_terms(img, spatial, spatial, edge, smooth, code)
    _run_bank(img, (mag, ang), terms,
              (B.Out("hypot", [0, 1], div=float(np.sqrt(2.0))), B.Out("atan2", [0, 1])),
              cval, workers)
    return mag, ang


def laplace(image, ksize=3, mask=None, *, mode="reflect", cval=0.0, channel_axis=None,
            output=None, workers=None):
    """Laplace edge filter (scikit-image's ``skimage.filters.laplace``).

    Correlation with the N-D operator ``2 * ndim`` at the centre and -1 at
    the ``2 * ndim`` face neighbours (the spatial axes), so edges give a
    positive response on their bright side; mask as :func:`sobel`.

    Parameters
    ----------
    image : array_like
    ksize : int, optional
        Only 3 (scikit-image accepts and ignores other values; we reject them).
    mask : array_like, optional
    mode : str, optional
        Default 'reflect'.
    cval : float, optional
    channel_axis : int, optional
    output : ndarray or dtype, optional
    workers : int, optional

    Returns
    -------
    result : ndarray of float

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

    def plan(img):
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

        def run(pl, inp, tgt, nthreads):
            core.run(pl, inp, tgt, nthreads)
            tgt *= eroded
        return P.Call(core.build, run, core.out_shape, core.out_dtype, core.work, core.halo,
                      prep=D.img_as_float)
    return P.run_cached(_CACHE, "laplace", image, output, (mask, mode, cval, channel_axis),
                        plan, workers, D.img_as_float)
