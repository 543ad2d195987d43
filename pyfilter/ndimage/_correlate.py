"""scipy.ndimage drop-ins: correlate, convolve, correlate1d, convolve1d."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np  # noqa: F401  (the examples use it)
from numpy.typing import ArrayLike, NDArray

from .._common import validate as V
from .._common.docs import docfiller
from .._common.errors import ArgumentError
from .._common.typing import Axes, IntOrSeq, Method, Mode, Output, Plan, Scalar, Workers
from .._ops import correlate as _core
from .._ops import method as _method
from .._ops import plans as P
from . import _separable as _ndi_separable

__all__ = ["correlate", "convolve", "correlate1d", "convolve1d"]


def _expand_kernel(weights: NDArray[Any], axes: Sequence[int], ndim: int) -> NDArray[Any]:
    """Kernel with one dimension per input axis (length 1 where unfiltered).

    As in scipy (1.17), the kernel's dimensions go to the filtered axes in
    increasing order, whatever the order of ``axes``.
    """
    shape = [1] * ndim
    for a, k in zip(sorted(axes), weights.shape):
        shape[a] = k
    return weights.reshape(shape)


def _expand_origin(origins: Sequence[int], axes: Sequence[int], ndim: int) -> list[int]:
    """Origins per input axis.  As in scipy (1.17): with a subset of the
    axes, ``origin[i]`` goes to ``axes[i]``; with every axis, to axis ``i``."""
    if len(axes) == ndim:
        return list(origins)
    full = [0] * ndim
    for a, o in zip(axes, origins):
        full[a] = o
    return full


_CACHE = P.Cache(128)


def _check_input(input: ArrayLike) -> NDArray[Any]:
    return V.check_array(input, "input")


def _correlate_or_convolve(input: ArrayLike, weights: ArrayLike, output: Output, mode: Mode,
                           cval: Scalar, origin: IntOrSeq, axes: Axes, workers: Workers,
                           convolution: bool, method: Method = "auto") -> NDArray[Any]:
    def plan(x: NDArray[Any]) -> Plan:
        return _plan_nd(x, weights, output, mode, cval, origin, axes, convolution, method)
    return P.run_cached(_CACHE, "convolve" if convolution else "correlate", input, output,
                        (weights, mode, cval, origin, axes, method), plan, workers,
                        _check_input)


def _plan_nd(input: NDArray[Any], weights: Any, output: Output, mode: Mode,
             cval: Scalar, origin: IntOrSeq, axes: Axes, convolution: bool,
             method: Method) -> Plan:
    weights = V.check_weights(weights, "weights")
    axes = V.normalize_axes(axes, input.ndim)
    if weights.ndim != len(axes):
        raise ArgumentError(f"weights has {weights.ndim} dimension(s) (shape {weights.shape}), "
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
    return _method.call(method, input, w, output, [code] * n, cval, base, [1] * n,
                        [1] * n, input.shape)


@docfiller
def correlate(input: ArrayLike, weights: ArrayLike, output: Output = None,
              mode: Mode = "reflect", cval: Scalar = 0.0, origin: IntOrSeq = 0, *,
              axes: Axes = None, workers: Workers = None,
              method: Method = "auto") -> NDArray[Any]:
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
        With ``axes``, ``origin[i]`` applies to ``axes[i]``.
    %(axes)s
        ``weights.ndim`` must equal ``len(axes)``; the kernel's dimensions
        apply to the filtered axes in increasing order, whatever the order
        of ``axes`` (scipy 1.17's rule).
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
def convolve(input: ArrayLike, weights: ArrayLike, output: Output = None,
             mode: Mode = "reflect", cval: Scalar = 0.0, origin: IntOrSeq = 0, *,
             axes: Axes = None, workers: Workers = None,
             method: Method = "auto") -> NDArray[Any]:
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
        With ``axes``, ``origin[i]`` applies to ``axes[i]``.
    %(axes)s
        ``weights.ndim`` must equal ``len(axes)``; the kernel's dimensions
        apply to the filtered axes in increasing order, whatever the order
        of ``axes`` (scipy 1.17's rule).
    %(workers)s
    %(method)s

    Returns
    -------
    result : ndarray
        The convolution, of the shape of ``input``.

    See Also
    --------
    correlate, convolve1d, pyfilter.filters.convolve

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


def _correlate1d(input: ArrayLike, weights: ArrayLike, axis: int, output: Output, mode: Mode,
                 cval: Scalar, origin: int, workers: Workers,
                 convolution: bool) -> NDArray[Any]:
    def plan(x: NDArray[Any]) -> Plan:
        return _plan_1d(x, weights, axis, output, mode, cval, origin, convolution)
    return P.run_cached(_CACHE, "convolve1d" if convolution else "correlate1d", input,
                        output, (weights, axis, mode, cval, origin), plan, workers,
                        _check_input)


def _plan_1d(input: NDArray[Any], weights: Any, axis: int, output: Output, mode: Mode,
             cval: Scalar, origin: int, convolution: bool) -> Plan:
    weights = V.check_weights(weights, "weights")
    if weights.ndim != 1:
        raise ArgumentError(f"weights must be one-dimensional, got shape {weights.shape}")
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
        return _ndi_separable._bank_call(input, output, [specs], _ndi_separable._TERM, cval)
    shape = [1] * input.ndim
    shape[axis] = weights.shape[0]
    w = weights.reshape(shape)
    base = [0] * input.ndim
    base[axis] = -(weights.shape[0] // 2 + origin)
    n = input.ndim
    # scipy's 1-D filter applies every tap (it does not skip tiny weights).
    return _core.call(input, w, output, [code] * n, cval, base, [1] * n, [1] * n,
                      input.shape, skip_small=False, cast_rule=_core.CAST_LINE)


@docfiller
def correlate1d(input: ArrayLike, weights: ArrayLike, axis: int = -1, output: Output = None,
                mode: Mode = "reflect", cval: Scalar = 0.0, origin: int = 0, *,
                workers: Workers = None) -> NDArray[Any]:
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
        The correlation, of the shape of ``input``.

    See Also
    --------
    convolve1d, correlate

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
def convolve1d(input: ArrayLike, weights: ArrayLike, axis: int = -1, output: Output = None,
               mode: Mode = "reflect", cval: Scalar = 0.0, origin: int = 0, *,
               workers: Workers = None) -> NDArray[Any]:
    """One-dimensional convolution along ``axis`` (scipy.ndimage.convolve1d).

    ``out[i] = sum_j weights[j] * x~[i - j + (L // 2 + origin)]`` along
    ``axis``: :func:`correlate1d` with the reversed kernel and origin
    ``-origin``, shifted by one more for an even ``L`` (scipy's placement).
    Every tap is applied, including zero weights.  Complex weights are not
    conjugated.

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
        The convolution, of the shape of ``input``.

    See Also
    --------
    correlate1d, convolve

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> ndimage.convolve1d(np.array([2, 8, 0, 4, 1, 9, 9, 0]), [1, 3])
    array([14, 24,  4, 13, 12, 36, 27,  0])
    """
    return _correlate1d(input, weights, axis, output, mode, cval, origin,
                        workers, True)
