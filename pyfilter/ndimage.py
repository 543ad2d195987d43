"""Drop-in replacements for scipy.ndimage filters.

Same signatures and results as scipy.ndimage (see REFERENCE.md), plus a
keyword-only ``workers=None`` thread count.  Differences: float32 inputs
are computed in float32 (scipy promotes to float64), and results are
computed in parallel.
"""
import warnings

import numpy as np

from . import _core
from . import _reduce
from . import _validate as V
from ._docs import docfiller
from . import _ndi_separable, _separable
from ._ndi_separable import (  # noqa: F401  (issue 3: separable filters)
    sobel, prewitt, laplace, uniform_filter, uniform_filter1d, gaussian_filter,
    gaussian_filter1d, gaussian_laplace, gaussian_gradient_magnitude,
    generic_gradient_magnitude, generic_laplace)

__all__ = (["correlate", "convolve", "correlate1d", "convolve1d",
            "maximum_filter", "minimum_filter", "maximum_filter1d", "minimum_filter1d"]
           + _ndi_separable.__all__)


def _expand_kernel(weights, axes, ndim):
    """Kernel with one dimension per input axis (length 1 where unfiltered).

    As in scipy (1.17), the kernel's dimensions go to the filtered axes in
    increasing order, whatever the order of ``axes``.
    """
    shape = [1] * ndim
    for a, k in zip(sorted(axes), weights.shape):
        shape[a] = k
    return weights.reshape(shape)


def _expand_origin(origins, axes, ndim):
    """Origins per input axis.  As in scipy (1.17): with a subset of the
    axes, ``origin[i]`` goes to ``axes[i]``; with every axis, to axis ``i``."""
    if len(axes) == ndim:
        return list(origins)
    full = [0] * ndim
    for a, o in zip(axes, origins):
        full[a] = o
    return full


def _correlate_or_convolve(input, weights, output, mode, cval, origin, axes,
                           workers, convolution, method="auto"):
    input = V.check_array(input, "input")
    weights = V.check_weights(weights, "weights")
    axes = V.normalize_axes(axes, input.ndim)
    if weights.ndim != len(axes):
        raise ValueError(f"weights has {weights.ndim} dimension(s) (shape {weights.shape}), "
                         f"but it must have one per filtered axis ({len(axes)})")
    origins = V.int_sequence(origin, len(axes), "origin")
    code = V.mode_codes(mode, 1, "mode", allow_sequence=False)[0]
    if weights.dtype.kind == "c" and not convolution:
        weights = weights.conj()  # as np.correlate: conjugate the weights
    w = _expand_kernel(weights, axes, input.ndim)
    origins = _expand_origin(origins, axes, input.ndim)
    # (convolve's transformed origin is valid exactly when this one is)
    V.check_origins(origins, w.shape)
    if convolution:
        w = w[(slice(None, None, -1),) * w.ndim]
        origins = [-o - (1 - (k & 1)) for o, k in zip(origins, w.shape)]
    base = [-(k // 2 + o) for k, o in zip(w.shape, origins)]
    n = input.ndim
    return _separable.correlate_method(method, input, w, output, [code] * n, cval,
                                       base, [1] * n, [1] * n, input.shape, workers)


@docfiller
def correlate(input, weights, output=None, mode="reflect", cval=0.0, origin=0,
              *, axes=None, workers=None, method="auto"):
    """Multidimensional correlation (scipy.ndimage.correlate).

    ``out[i] = sum_j weights[j] * x~[i + j - (L // 2 + origin)]`` per axis,
    where ``x~`` is the input extended by ``mode``.  Complex weights are
    conjugated, as in scipy and np.correlate.  Like scipy, weights with
    ``|w| <= 2.2e-16`` (and NaN weights) are skipped, so they do not spread
    NaN or inf from the input.

    Parameters
    ----------
    %(input)s
    weights : array_like
        The kernel, with one dimension per filtered axis.
    %(output)s
    %(mode_reflect)s
        A sequence of modes is not accepted (as in scipy).
    %(cval)s
    %(origin_multiple)s
    %(axes)s
    %(workers)s
    %(method)s

    Returns
    -------
    result : ndarray
        The correlation, of the shape of ``input``.

    See Also
    --------
    convolve, correlate1d, pyfilter.filters.correlate

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.arange(25, dtype=np.float32).reshape(5, 5)
    >>> ndimage.correlate(x, np.ones((3, 3)))[1:4, 1:4]
    array([[ 54.,  63.,  72.],
           [ 99., 108., 117.],
           [144., 153., 162.]], dtype=float32)
    >>> ndimage.correlate(np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    array([2., 3.])
    """
    return _correlate_or_convolve(input, weights, output, mode, cval, origin,
                                  axes, workers, False, method)


@docfiller
def convolve(input, weights, output=None, mode="reflect", cval=0.0, origin=0,
             *, axes=None, workers=None, method="auto"):
    """Multidimensional convolution (scipy.ndimage.convolve).

    Equal to :func:`correlate` with the kernel reversed along every axis and
    origin ``-origin``, shifted by one more where the kernel length is even
    (scipy's rule: ``convolve(x, w) == correlate(x, w[::-1], origin=-1)``
    for an even-length 1-D ``w``).

    Parameters
    ----------
    %(input)s
    weights : array_like
        The kernel, with one dimension per filtered axis.
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(origin_multiple)s
    %(axes)s
    %(workers)s
    %(method)s

    Returns
    -------
    result : ndarray
        The convolution, of the shape of ``input``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> ndimage.convolve(np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    array([3., 4.])
    >>> a = np.array([[1, 2, 0, 0], [5, 3, 0, 4], [0, 0, 0, 7], [9, 3, 0, 0]])
    >>> ndimage.convolve(a, np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0]]),
    ...                  mode='constant', cval=0.0)
    array([[11, 10,  7,  4],
           [10,  3, 11, 11],
           [15, 12, 14,  7],
           [12,  3,  7,  0]])
    """
    return _correlate_or_convolve(input, weights, output, mode, cval, origin,
                                  axes, workers, True, method)


def _correlate1d(input, weights, axis, output, mode, cval, origin, workers,
                 convolution):
    input = V.check_array(input, "input")
    weights = V.check_weights(weights, "weights")
    if weights.ndim != 1:
        raise ValueError(f"weights must be one-dimensional, got shape {weights.shape}")
    axis = V.normalize_axis(axis, input.ndim)
    origin = V.as_int(origin, "origin")
    code = V.mode_codes(mode, 1, "mode", allow_sequence=False)[0]
    V.check_origins([origin], weights.shape)
    if convolution:
        weights = weights[::-1]
        origin = -origin - (1 - (weights.shape[0] & 1))
    elif weights.dtype.kind == "c":
        weights = weights.conj()
    if weights.dtype.kind != "c":
        # the line engine adds the taps in scipy's order (bitwise equal in
        # float64) and stores with scipy's line-filter cast
        specs = [(axis, weights, code, origin, None)]
        result, target = V.get_output(output, input, input.shape, input.dtype.kind == "c")
        cval = V.check_cval(cval, input.dtype.kind == "c")
        _ndi_separable._cascade_into(input, target, specs, cval, workers)
        return V.finish_output(result, target)
    shape = [1] * input.ndim
    shape[axis] = weights.shape[0]
    w = weights.reshape(shape)
    base = [0] * input.ndim
    base[axis] = -(weights.shape[0] // 2 + origin)
    n = input.ndim
    # scipy's 1-D filter applies every tap (it does not skip tiny weights).
    return _core.correlate_nd(input, w, output, [code] * n, cval, base,
                              [1] * n, [1] * n, input.shape, workers,
                              skip_small=False, cast_rule=_core.CAST_LINE)


@docfiller
def correlate1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0,
                origin=0, *, workers=None):
    """One-dimensional correlation along ``axis`` (scipy.ndimage.correlate1d).

    ``out[i] = sum_j weights[j] * x~[i + j - (L // 2 + origin)]`` along
    ``axis``.  Every tap is applied, including zero weights (so ``0 * inf``
    gives NaN, as in scipy).  Complex weights are conjugated.

    Parameters
    ----------
    %(input)s
    weights : array_like
        One-dimensional kernel.
    axis : int, optional
        The axis of ``input`` to filter along.  Default -1.
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(origin)s
    %(workers)s

    Returns
    -------
    result : ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> ndimage.correlate1d(np.array([2, 8, 0, 4, 1, 9, 9, 0]), [1, 3])
    array([ 8, 26,  8, 12,  7, 28, 36,  9])
    """
    return _correlate1d(input, weights, axis, output, mode, cval, origin,
                        workers, False)


@docfiller
def convolve1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0,
               origin=0, *, workers=None):
    """One-dimensional convolution along ``axis`` (scipy.ndimage.convolve1d).

    Parameters
    ----------
    %(input)s
    weights : array_like
        One-dimensional kernel.
    axis : int, optional
        The axis of ``input`` to filter along.  Default -1.
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(origin)s
    %(workers)s

    Returns
    -------
    result : ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> ndimage.convolve1d(np.array([2, 8, 0, 4, 1, 9, 9, 0]), [1, 3])
    array([14, 24,  4, 13, 12, 36, 27,  0])
    """
    return _correlate1d(input, weights, axis, output, mode, cval, origin,
                        workers, True)


# ---------------------------------------------------------------- max / min
def _min_or_max_filter(input, size, footprint, output, mode, cval, origin,
                       axes, workers, op):
    if size is not None and footprint is not None:
        warnings.warn("ignoring size because footprint is set", UserWarning,
                      stacklevel=3)
    input = V.check_array(input, "input", min_ndim=0)
    if input.dtype.kind == "c":
        raise TypeError(f"input has dtype {input.dtype}: complex input is not "
                        "supported by maximum_filter/minimum_filter (as in scipy)")
    axes = V.normalize_axes(axes, input.ndim)
    n = len(axes)
    fp = None
    if footprint is not None:
        fp = V.check_footprint(footprint, n, "footprint")
        if fp.all():
            size, fp = fp.shape, None
    elif size is None:
        raise TypeError("either size or footprint must be given")
    cval = V.check_cval(cval, False)
    origins = V.int_sequence(origin, n, "origin")
    result, target = V.get_output(output, input, input.shape)
    if fp is None:
        sizes = V.int_sequence(size, n, "size", minimum=1)
        codes = V.mode_codes(mode, n, "mode")
        V.check_origins([o for o, s in zip(origins, sizes) if s > 1],
                        [s for s in sizes if s > 1])
        full = [1] * input.ndim
        bases = [0] * input.ndim
        modes = [V.MODE_REFLECT] * input.ndim
        for a, s, o, c in zip(axes, sizes, origins, codes):
            full[a], bases[a], modes[a] = s, -(s // 2 + o), c
        if target.size:
            _reduce.separable_minmax(input, target, full, bases, modes, cval, op,
                                     workers)
    else:
        code = V.mode_codes(mode, 1, "mode", allow_sequence=False)[0]
        # scipy's placement: the footprint's dimensions go to the filtered
        # axes in increasing order; origins follow the order of ``axes``.
        shape = [1] * input.ndim
        for a, k in zip(sorted(axes), fp.shape):
            shape[a] = k
        fp = fp.reshape(shape)
        full_origin = [0] * input.ndim
        for a, o in zip(axes, origins):
            full_origin[a] = o
        V.check_origins(full_origin, fp.shape)
        bases = [-(k // 2 + o) for k, o in zip(fp.shape, full_origin)]
        if input.ndim == 0:
            np.copyto(target, input, casting="unsafe")
        elif target.size:
            _reduce.footprint_minmax(input, target, fp, bases, code, cval, op,
                                     workers)
    return V.finish_output(result, target)


_MINMAX_DOC = """Multidimensional {what} filter (scipy.ndimage.{name}).

    ``out[i] = {what}`` of the input over the window (a box of ``size``, or
    the True entries of ``footprint``) placed at ``i``, the input extended
    by ``mode``.  For a window of length ``L`` along an axis, output ``i``
    covers ``x~[i - (L // 2 + origin) .. i - (L // 2 + origin) + L - 1]``.

    Boxes are separable: along the other axes whole rows are combined
    with the van Herk / Gil-Werman running {what} (cost independent of the
    window length), along the contiguous axis by a doubling scheme
    (about log2(L) vector passes); footprints are split into runs along
    the last axis.

    Parameters
    ----------
    %(input)s
    size : int or sequence of int, optional
        Window length per filtered axis (>= 1).  Ignored, with a
        UserWarning, when ``footprint`` is given.
    footprint : array_like of bool, optional
        The window shape, one dimension per filtered axis.  It must contain
        a True entry; an all-True footprint is the box of its shape.
    output : ndarray or dtype, optional
        Output array or dtype (default: the input's dtype, with scipy's
        casting rules).  When it differs from the input's dtype, the first
        filtered axis is reduced and cast before the others, as scipy does.
    %(mode_multiple)s
        A sequence of modes is only accepted for boxes (as in scipy).
    %(cval)s
    %(origin_multiple)s
    axes : tuple of int or None, optional
        The axes to filter (default: all).  ``size``, ``origin`` and a mode
        sequence follow the order of ``axes``; a footprint's dimensions
        apply to the filtered axes in increasing order (scipy's rules).
    %(workers)s

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    Notes
    -----
    Integer inputs are reduced exactly in their own type (scipy goes
    through float64, which rounds int64 values beyond 2**53).  NaN
    propagates: a window that contains NaN gives NaN.  scipy's result for
    such windows depends on where the NaN sits in the window (a by-product
    of its algorithms), so pyfilter deliberately differs there.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.array([[0, 1, 2, 3], [4, 9, 6, 7], [8, 5, 10, 11]])
    >>> ndimage.{name}(x, size=3)
    {ex1}
    >>> ndimage.{name}(x, footprint=[[0, 1, 0], [1, 1, 1], [0, 1, 0]],
    ...                mode="constant", cval={cval})
    {ex2}
    """


def maximum_filter(input, size=None, footprint=None, output=None, mode="reflect",
                   cval=0.0, origin=0, *, axes=None, workers=None):
    return _min_or_max_filter(input, size, footprint, output, mode, cval, origin,
                              axes, workers, _reduce.OP_MAX)


def minimum_filter(input, size=None, footprint=None, output=None, mode="reflect",
                   cval=0.0, origin=0, *, axes=None, workers=None):
    return _min_or_max_filter(input, size, footprint, output, mode, cval, origin,
                              axes, workers, _reduce.OP_MIN)


maximum_filter.__doc__ = _MINMAX_DOC.format(
    what="maximum", name="maximum_filter", cval=0,
    ex1="""array([[ 9,  9,  9,  7],
           [ 9, 10, 11, 11],
           [ 9, 10, 11, 11]])""",
    ex2="""array([[ 4,  9,  6,  7],
           [ 9,  9, 10, 11],
           [ 8, 10, 11, 11]])""")
minimum_filter.__doc__ = _MINMAX_DOC.format(
    what="minimum", name="minimum_filter", cval=99,
    ex1="""array([[0, 0, 1, 2],
           [0, 0, 1, 2],
           [4, 4, 5, 6]])""",
    ex2="""array([[0, 0, 1, 2],
           [0, 1, 2, 3],
           [4, 5, 5, 7]])""")
maximum_filter = docfiller(maximum_filter)
minimum_filter = docfiller(minimum_filter)


def _min_or_max_filter1d(input, size, axis, output, mode, cval, origin, workers, op):
    input = V.check_array(input, "input")
    if input.dtype.kind == "c":
        raise TypeError(f"input has dtype {input.dtype}: complex input is not "
                        "supported by maximum_filter1d/minimum_filter1d (as in scipy)")
    axis = V.normalize_axis(axis, input.ndim)
    size = V.as_int(size, "size")
    if size < 1:
        raise ValueError(f"size must be >= 1, got {size}")
    origin = V.as_int(origin, "origin")
    V.check_origins([origin], [size])
    code = V.mode_codes(mode, 1, "mode", allow_sequence=False)[0]
    cval = V.check_cval(cval, False)
    result, target = V.get_output(output, input, input.shape)
    sizes = [1] * input.ndim
    bases = [0] * input.ndim
    modes = [code] * input.ndim
    sizes[axis], bases[axis] = size, -(size // 2 + origin)
    if target.size:
        _reduce.separable_minmax(input, target, sizes, bases, modes, cval, op, workers)
    return V.finish_output(result, target)


_MINMAX1D_DOC = """One-dimensional {what} filter along ``axis`` (scipy.ndimage.{name}).

    ``out[i] = {what}(x~[i - (size // 2 + origin) .. i - (size // 2 + origin) + size - 1])``
    along ``axis``: ``size=4`` covers ``x[i-2 .. i+1]``.  Along a
    non-contiguous axis the running {what} (van Herk / Gil-Werman) costs
    O(1) per element whatever ``size`` is; along the contiguous axis about
    log2(size) vector passes.

    Parameters
    ----------
    %(input)s
    size : int
        Window length (>= 1).
    axis : int, optional
        The axis of ``input`` to filter along.  Default -1.
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(origin)s
    %(workers)s

    Returns
    -------
    result : ndarray

    Notes
    -----
    NaN propagates (a window containing NaN gives NaN), unlike scipy whose
    result depends on the position of the NaN in the window.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> ndimage.{name}(np.array([2, 8, 0, 4, 1, 9, 9, 0]), size=3)
    {ex1}
    >>> ndimage.{name}(np.array([2, 8, 0, 4, 1, 9, 9, 0]), size=4)
    {ex2}
    """


def maximum_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0,
                     origin=0, *, workers=None):
    return _min_or_max_filter1d(input, size, axis, output, mode, cval, origin,
                                workers, _reduce.OP_MAX)


def minimum_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0,
                     origin=0, *, workers=None):
    return _min_or_max_filter1d(input, size, axis, output, mode, cval, origin,
                                workers, _reduce.OP_MIN)


maximum_filter1d.__doc__ = _MINMAX1D_DOC.format(
    what="maximum", name="maximum_filter1d",
    ex1="array([8, 8, 8, 4, 9, 9, 9, 9])",
    ex2="array([8, 8, 8, 8, 9, 9, 9, 9])")
minimum_filter1d.__doc__ = _MINMAX1D_DOC.format(
    what="minimum", name="minimum_filter1d",
    ex1="array([2, 0, 0, 0, 1, 1, 0, 0])",
    ex2="array([2, 0, 0, 0, 0, 1, 0, 0])")
maximum_filter1d = docfiller(maximum_filter1d)
minimum_filter1d = docfiller(minimum_filter1d)
