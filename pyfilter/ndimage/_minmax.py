"""scipy.ndimage drop-ins: maximum_filter, minimum_filter and their 1-D forms."""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._common import validate as V
from .._common.docs import docfiller
from .._common.errors import ArgumentError, ArgumentTypeError
from .._common.typing import Axes, IntOrSeq, Mode, ModeOrSeq, Output, Plan, Scalar, Workers
from .._ops import plans as P
from .._ops import reduce as _reduce

__all__ = ["maximum_filter", "minimum_filter", "maximum_filter1d", "minimum_filter1d"]

_CACHE = P.Cache(128)
_TAGS = {_reduce.OP_MAX: "maximum_filter", _reduce.OP_MIN: "minimum_filter"}


def _check_input(input: ArrayLike) -> NDArray[Any]:
    return V.check_array(input, "input", min_ndim=0)


def _check_input1d(input: ArrayLike) -> NDArray[Any]:
    return V.check_array(input, "input")


def _no_complex(x: NDArray[Any], name: str) -> None:
    if x.dtype.kind == "c":
        raise TypeError(f"input has dtype {x.dtype}: complex input is not "
                        f"supported by {name} (as in scipy)")


# ---------------------------------------------------------------- max / min
def _min_or_max_filter(input: ArrayLike, size: IntOrSeq | None, footprint: ArrayLike | None,
                       output: Output, mode: ModeOrSeq, cval: Scalar, origin: IntOrSeq,
                       axes: Axes, workers: Workers, op: int) -> NDArray[Any]:
    if size is not None and footprint is not None:
        warnings.warn("ignoring size because footprint is set", UserWarning,
                      stacklevel=3)

    def plan(input: NDArray[Any]) -> Plan:
        return _plan_filter(input, size, footprint, output, mode, cval, origin, axes, op)
    return P.run_cached(_CACHE, _TAGS[op], input, output,
                        (size, footprint, mode, cval, origin, axes), plan, workers,
                        _check_input)


def _plan_filter(input: NDArray[Any], size: Any, footprint: ArrayLike | None, output: Output,
                 mode: ModeOrSeq, cval: Scalar, origin: IntOrSeq, axes: Axes,
                 op: int) -> Plan:
    """Validate a maximum/minimum_filter call and plan it."""
    _no_complex(input, "maximum_filter/minimum_filter")
    axes = V.normalize_axes(axes, input.ndim)
    n = len(axes)
    fp: NDArray[np.bool_] | None = None
    if footprint is not None:
        fp = V.check_footprint(footprint, n, "footprint")
        if fp.all():
            size, fp = fp.shape, None
    elif size is None:
        raise ArgumentTypeError("either size or footprint must be given (got size=None, "
                                "footprint=None)")
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
        first = next((a for a, s in zip(axes, sizes) if s > 1), None)
        return _reduce.minmax_call(input, target, full, bases, modes, cval, op, first)
    code = V.mode_codes(mode, 1, "mode", allow_sequence=False)[0]
    # scipy's placement: the footprint's dimensions go to the filtered
    # axes in increasing order; origins follow the order of ``axes``,
    # except when every axis is filtered: then the footprint and the
    # origins apply to the axes by position, whatever the order of ``axes``.
    fp, full_origin = V.place_window(fp, origins, axes, input.ndim)
    shape = list(fp.shape)
    V.check_origins(full_origin, shape)
    bases = [-(k // 2 + o) for k, o in zip(shape, full_origin)]
    return _reduce.footprint_call(input, target, fp, bases, code, cval, op)


@docfiller
def maximum_filter(input: ArrayLike, size: IntOrSeq | None = None,
                   footprint: ArrayLike | None = None, output: Output = None,
                   mode: ModeOrSeq = "reflect", cval: Scalar = 0.0, origin: IntOrSeq = 0, *,
                   axes: Axes = None, workers: Workers = None) -> NDArray[Any]:
    """Multidimensional maximum filter (scipy.ndimage.maximum_filter).

    ``out[i]`` is the maximum of the input over the window (a box of
    ``size``, or the True entries of ``footprint``) placed at ``i``, the
    input extended by ``mode``.  For a window of length ``L`` along an
    axis, output ``i`` covers
    ``x~[i - (L // 2 + origin) .. i - (L // 2 + origin) + L - 1]``.

    Boxes are separable: along the other axes whole rows are combined
    with the van Herk / Gil-Werman running maximum (cost independent of
    the window length), along the contiguous axis by a doubling scheme
    (about log4(L) vector passes); footprints are split into runs along
    the last axis.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    %(minmax_window)s
    %(mode_multiple)s
        A sequence of modes is only accepted for boxes (as in scipy).
    %(cval)s
    %(origin_multiple)s
    %(minmax_axes)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    See Also
    --------
    minimum_filter, maximum_filter1d, pyfilter.nn.max_pool2d

    Notes
    -----
    %(minmax_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.array([[0, 1, 2, 3], [4, 9, 6, 7], [8, 5, 10, 11]])
    >>> ndimage.maximum_filter(x, size=3)
    array([[ 9,  9,  9,  7],
           [ 9, 10, 11, 11],
           [ 9, 10, 11, 11]])
    >>> ndimage.maximum_filter(x, footprint=[[0, 1, 0], [1, 1, 1], [0, 1, 0]],
    ...                        mode="constant", cval=0)
    array([[ 4,  9,  6,  7],
           [ 9,  9, 10, 11],
           [ 8, 10, 11, 11]])
    >>> ndimage.maximum_filter(np.array([1.0, np.nan, 3.0, 4.0, 5.0]), size=3)
    array([nan, nan, nan,  5.,  5.])
    """
    return _min_or_max_filter(input, size, footprint, output, mode, cval, origin,
                              axes, workers, _reduce.OP_MAX)


@docfiller
def minimum_filter(input: ArrayLike, size: IntOrSeq | None = None,
                   footprint: ArrayLike | None = None, output: Output = None,
                   mode: ModeOrSeq = "reflect", cval: Scalar = 0.0, origin: IntOrSeq = 0, *,
                   axes: Axes = None, workers: Workers = None) -> NDArray[Any]:
    """Multidimensional minimum filter (scipy.ndimage.minimum_filter).

    ``out[i]`` is the minimum of the input over the window (a box of
    ``size``, or the True entries of ``footprint``) placed at ``i``, the
    input extended by ``mode``.  For a window of length ``L`` along an
    axis, output ``i`` covers
    ``x~[i - (L // 2 + origin) .. i - (L // 2 + origin) + L - 1]``.

    Boxes are separable: along the other axes whole rows are combined
    with the van Herk / Gil-Werman running minimum (cost independent of
    the window length), along the contiguous axis by a doubling scheme
    (about log4(L) vector passes); footprints are split into runs along
    the last axis.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    %(minmax_window)s
    %(mode_multiple)s
        A sequence of modes is only accepted for boxes (as in scipy).
    %(cval)s
    %(origin_multiple)s
    %(minmax_axes)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    See Also
    --------
    maximum_filter, minimum_filter1d

    Notes
    -----
    %(minmax_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.array([[0, 1, 2, 3], [4, 9, 6, 7], [8, 5, 10, 11]])
    >>> ndimage.minimum_filter(x, size=3)
    array([[0, 0, 1, 2],
           [0, 0, 1, 2],
           [4, 4, 5, 6]])
    >>> ndimage.minimum_filter(x, footprint=[[0, 1, 0], [1, 1, 1], [0, 1, 0]],
    ...                        mode="constant", cval=99)
    array([[0, 0, 1, 2],
           [0, 1, 2, 3],
           [4, 5, 5, 7]])
    """
    return _min_or_max_filter(input, size, footprint, output, mode, cval, origin,
                              axes, workers, _reduce.OP_MIN)


def _min_or_max_filter1d(input: ArrayLike, size: int, axis: int, output: Output, mode: Mode,
                         cval: Scalar, origin: int, workers: Workers,
                         op: int) -> NDArray[Any]:
    def plan(input: NDArray[Any]) -> Plan:
        return _plan_filter1d(input, size, axis, output, mode, cval, origin, op)
    return P.run_cached(_CACHE, _TAGS[op] + "1d", input, output,
                        (size, axis, mode, cval, origin), plan, workers, _check_input1d)


def _plan_filter1d(input: NDArray[Any], size: int, axis: int, output: Output, mode: Mode,
                   cval: Scalar, origin: int, op: int) -> Plan:
    """Validate a maximum/minimum_filter1d call and plan it."""
    _no_complex(input, "maximum_filter1d/minimum_filter1d")
    axis = V.normalize_axis(axis, input.ndim)
    size = V.as_int(size, "size")
    if size < 1:
        raise ArgumentError(f"size must be >= 1, got {size}")
    origin = V.as_int(origin, "origin")
    V.check_origins([origin], [size])
    code = V.mode_codes(mode, 1, "mode", allow_sequence=False)[0]
    cval = V.check_cval(cval, False)
    result, target = V.get_output(output, input, input.shape)
    sizes = [1] * input.ndim
    bases = [0] * input.ndim
    modes = [code] * input.ndim
    sizes[axis], bases[axis] = size, -(size // 2 + origin)
    return _reduce.minmax_call(input, target, sizes, bases, modes, cval, op)


@docfiller
def maximum_filter1d(input: ArrayLike, size: int, axis: int = -1, output: Output = None,
                     mode: Mode = "reflect", cval: Scalar = 0.0, origin: int = 0, *,
                     workers: Workers = None) -> NDArray[Any]:
    """One-dimensional maximum filter along ``axis`` (scipy.ndimage.maximum_filter1d).

    ``out[i] = max(x~[i - (size // 2 + origin) .. i - (size // 2 + origin) + size - 1])``
    along ``axis``, the input extended by ``mode``: ``size=4`` covers
    ``x[i-2 .. i+1]``.  Along a non-contiguous axis the running maximum
    (van Herk / Gil-Werman) costs O(1) per element whatever ``size`` is;
    along the contiguous axis about log4(size) vector passes.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
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
        The filtered array, of the shape of ``input``.

    See Also
    --------
    maximum_filter, minimum_filter1d

    Notes
    -----
    Integer inputs are reduced exactly in their own type.  NaN propagates
    (a window containing NaN gives NaN), unlike scipy whose result depends
    on the position of the NaN in the window.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> ndimage.maximum_filter1d(np.array([2, 8, 0, 4, 1, 9, 9, 0]), size=3)
    array([8, 8, 8, 4, 9, 9, 9, 9])
    >>> ndimage.maximum_filter1d(np.array([2, 8, 0, 4, 1, 9, 9, 0]), size=4)
    array([8, 8, 8, 8, 9, 9, 9, 9])
    """
    return _min_or_max_filter1d(input, size, axis, output, mode, cval, origin,
                                workers, _reduce.OP_MAX)


@docfiller
def minimum_filter1d(input: ArrayLike, size: int, axis: int = -1, output: Output = None,
                     mode: Mode = "reflect", cval: Scalar = 0.0, origin: int = 0, *,
                     workers: Workers = None) -> NDArray[Any]:
    """One-dimensional minimum filter along ``axis`` (scipy.ndimage.minimum_filter1d).

    ``out[i] = min(x~[i - (size // 2 + origin) .. i - (size // 2 + origin) + size - 1])``
    along ``axis``, the input extended by ``mode``: ``size=4`` covers
    ``x[i-2 .. i+1]``.  Along a non-contiguous axis the running minimum
    (van Herk / Gil-Werman) costs O(1) per element whatever ``size`` is;
    along the contiguous axis about log4(size) vector passes.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
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
        The filtered array, of the shape of ``input``.

    See Also
    --------
    minimum_filter, maximum_filter1d

    Notes
    -----
    Integer inputs are reduced exactly in their own type.  NaN propagates
    (a window containing NaN gives NaN), unlike scipy whose result depends
    on the position of the NaN in the window.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> ndimage.minimum_filter1d(np.array([2, 8, 0, 4, 1, 9, 9, 0]), size=3)
    array([2, 0, 0, 0, 1, 1, 0, 0])
    >>> ndimage.minimum_filter1d(np.array([2, 8, 0, 4, 1, 9, 9, 0]), size=4)
    array([2, 0, 0, 0, 0, 1, 0, 0])
    """
    return _min_or_max_filter1d(input, size, axis, output, mode, cval, origin,
                                workers, _reduce.OP_MIN)
