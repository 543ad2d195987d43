"""scipy.ndimage drop-ins: rank_filter, median_filter and percentile_filter."""
from __future__ import annotations

import math
import operator
import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._common import validate as V
from .._common.docs import docfiller
from .._common.errors import ArgumentError, ArgumentOverflowError, ArgumentTypeError
from .._common.typing import Axes, IntOrSeq, ModeOrSeq, Output, Plan, Scalar, Workers
from .._ops import plans as P
from .._ops import reduce as _reduce
from ._minmax import _plan_filter as _plan_minmax

__all__ = ["rank_filter", "median_filter", "percentile_filter"]

_CACHE = P.Cache(128)
# the most entries of a window (a gather buffer of this many values per thread)
_MAX_TAPS = V.MAX_SPAN


def _check_input(input: ArrayLike) -> NDArray[Any]:
    return V.check_array(input, "input", min_ndim=0)


def _rank_of(operation: str, value: Any, n: int) -> int:
    """scipy's rank for ``operation`` ('rank', 'median', 'percentile') in a
    window of ``n`` entries."""
    if operation == "median":
        rank = n // 2
    elif operation == "percentile":
        if isinstance(value, (bool, np.bool_)) or not isinstance(
                value, (int, float, np.integer, np.floating)):
            raise ArgumentTypeError(f"percentile must be a real number, got "
                                    f"{type(value).__name__} {value!r}")
        pct = float(value)
        if pct < 0.0:
            pct += 100.0
        if not 0.0 <= pct <= 100.0:
            raise ArgumentError(f"percentile must be in [-100, 100], got {value!r}")
        rank = n - 1 if pct == 100.0 else int(float(n) * pct / 100.0)
    else:
        if isinstance(value, (bool, np.bool_)):
            raise ArgumentTypeError(f"rank must be an integer, got {value!r}")
        try:
            rank = operator.index(value)
        except TypeError:
            raise ArgumentTypeError(f"rank must be an integer, got "
                                    f"{type(value).__name__} {value!r}") from None
    if rank < 0:
        rank += n
    if not 0 <= rank < n:
        what = "rank" if operation == "rank" else "the rank"
        raise ArgumentError(f"{what} {value if operation == 'rank' else rank!r} is not within "
                            f"the window's {n} entries (valid ranks: {-n} .. {n - 1})")
    return rank


def _plan_rank(input: NDArray[Any], value: Any, size: Any, footprint: ArrayLike | None,
               output: Output, mode: ModeOrSeq, cval: Scalar, origin: IntOrSeq, axes: Axes,
               operation: str) -> Plan:
    """Validate a rank/median/percentile_filter call and plan it."""
    if input.dtype.kind == "c":
        raise TypeError(f"input has dtype {input.dtype}: complex input is not supported "
                        f"by {operation}_filter (as in scipy)")
    axes = V.normalize_axes(axes, input.ndim)
    n = len(axes)
    if footprint is not None:
        fp = V.check_footprint(footprint, n, "footprint")
    elif size is None:
        raise ArgumentTypeError("either size or footprint must be given (got size=None, "
                                "footprint=None)")
    else:
        sizes = V.int_sequence(size, n, "size", minimum=1)
        if math.prod(sizes) > _MAX_TAPS:
            raise ArgumentOverflowError(f"size {size!r} makes a window of {math.prod(sizes)} "
                                        f"entries; at most {_MAX_TAPS} are supported")
        fp = np.ones(sizes, dtype=bool)
    taps = int(np.count_nonzero(fp))
    if taps > _MAX_TAPS:
        raise ArgumentOverflowError(f"footprint has {taps} True entries; at most "
                                    f"{_MAX_TAPS} are supported")
    origins = V.int_sequence(origin, n, "origin")
    fp, full_origin = V.place_window(fp, origins, axes, input.ndim)
    shape = list(fp.shape)
    V.check_origins(full_origin, shape)
    rank = _rank_of(operation, value, taps)
    if rank == 0 or rank == taps - 1:
        # scipy's rule: the extreme ranks are minimum and maximum filters
        if not isinstance(mode, str) and np.ndim(mode) == 1:
            modes = list(mode)
            if len(modes) != n:
                V.mode_codes(mode, n, "mode")       # raises: the wrong length
            full_mode: Any = ["constant"] * input.ndim
            for a, m in zip(axes, modes):
                full_mode[a] = m
        else:
            full_mode = mode
        op = _reduce.OP_MIN if rank == 0 else _reduce.OP_MAX
        return _plan_minmax(input, None, fp, output, full_mode, cval, full_origin, None, op)
    code = V.mode_codes(mode, 1, "mode", allow_sequence=False)[0]
    cval = V.check_cval(cval, False)
    _, target = V.get_output(output, input, input.shape)
    bases = [-(k // 2 + o) for k, o in zip(shape, full_origin)]
    # scipy's 1-D rank filter (which selects integers in int64) serves 1-D
    # inputs not much shorter than the window
    wide = input.ndim == 1 and (input.size - ((fp.size - 1) // 2 - full_origin[-1]) >= 0
                                or input.size == 1)
    return _reduce.rank_call(input, target, fp, bases, code, cval, rank, wide)


def _rank_filter(input: ArrayLike, value: Any, size: IntOrSeq | None,
                 footprint: ArrayLike | None, output: Output, mode: ModeOrSeq, cval: Scalar,
                 origin: IntOrSeq, axes: Axes, workers: Workers, operation: str) -> NDArray[Any]:
    if size is not None and footprint is not None:
        warnings.warn("ignoring size because footprint is set", UserWarning, stacklevel=3)

    def plan(input: NDArray[Any]) -> Plan:
        return _plan_rank(input, value, size, footprint, output, mode, cval, origin, axes,
                          operation)
    return P.run_cached(_CACHE, operation, input, output,
                        (value, size, footprint, mode, cval, origin, axes), plan, workers,
                        _check_input)


@docfiller
def rank_filter(input: ArrayLike, rank: int, size: IntOrSeq | None = None,
                footprint: ArrayLike | None = None, output: Output = None,
                mode: ModeOrSeq = "reflect", cval: Scalar = 0.0, origin: IntOrSeq = 0, *,
                axes: Axes = None, workers: Workers = None) -> NDArray[Any]:
    """Multidimensional rank filter (scipy.ndimage.rank_filter).

    ``out[i]`` is the ``rank``-th smallest value (0: the smallest) of the
    input over the window (a box of ``size``, or the True entries of
    ``footprint``) placed at ``i``, the input extended by ``mode``.  For a
    window of length ``L`` along an axis, output ``i`` covers
    ``x~[i - (L // 2 + origin) .. i - (L // 2 + origin) + L - 1]``.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    rank : int
        The rank, ``-n <= rank < n`` for a window of ``n`` entries; a
        negative rank counts from the largest (-1: the maximum).
    %(rank_window)s
    %(rank_mode)s
    %(cval)s
    %(origin_multiple)s
    %(rank_axes)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    See Also
    --------
    median_filter, percentile_filter, minimum_filter, maximum_filter

    Notes
    -----
    %(rank_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.array([[5, 1, 4, 2], [8, 3, 9, 0], [7, 6, 2, 5]])
    >>> ndimage.rank_filter(x, 1, size=3)
    array([[1, 1, 1, 0],
           [3, 2, 1, 0],
           [6, 2, 2, 0]])
    >>> ndimage.rank_filter(x, -2, footprint=[[0, 1, 0], [1, 1, 1], [0, 1, 0]],
    ...                     mode="constant", cval=0)
    array([[5, 4, 4, 2],
           [7, 8, 4, 5],
           [7, 6, 6, 2]])
    """
    return _rank_filter(input, rank, size, footprint, output, mode, cval, origin, axes,
                        workers, "rank")


@docfiller
def median_filter(input: ArrayLike, size: IntOrSeq | None = None,
                  footprint: ArrayLike | None = None, output: Output = None,
                  mode: ModeOrSeq = "reflect", cval: Scalar = 0.0, origin: IntOrSeq = 0, *,
                  axes: Axes = None, workers: Workers = None) -> NDArray[Any]:
    """Multidimensional median filter (scipy.ndimage.median_filter).

    ``out[i]`` is the median of the input over the window placed at ``i``:
    for a window of ``n`` entries the value of rank ``n // 2`` (the upper
    median when ``n`` is even; no averaging), the input extended by
    ``mode``.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    %(rank_window)s
    %(rank_mode)s
    %(cval)s
    %(origin_multiple)s
    %(rank_axes)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    See Also
    --------
    rank_filter, percentile_filter

    Notes
    -----
    %(rank_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.array([[5, 1, 4, 2], [8, 3, 9, 0], [7, 6, 2, 5]])
    >>> ndimage.median_filter(x, size=3)
    array([[5, 4, 2, 2],
           [6, 5, 3, 2],
           [7, 6, 5, 5]])
    >>> ndimage.median_filter(np.array([1.0, np.nan, 3.0, 4.0, 5.0]), size=3)
    array([1., 3., 4., 4., 5.])
    """
    return _rank_filter(input, None, size, footprint, output, mode, cval, origin, axes,
                        workers, "median")


@docfiller
def percentile_filter(input: ArrayLike, percentile: float, size: IntOrSeq | None = None,
                      footprint: ArrayLike | None = None, output: Output = None,
                      mode: ModeOrSeq = "reflect", cval: Scalar = 0.0,
                      origin: IntOrSeq = 0, *, axes: Axes = None,
                      workers: Workers = None) -> NDArray[Any]:
    """Multidimensional percentile filter (scipy.ndimage.percentile_filter).

    ``out[i]`` is the value of rank ``int(n * percentile / 100)`` (``n - 1``
    for 100) of the input over the window of ``n`` entries placed at
    ``i``: no interpolation between ranks, as in scipy.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    percentile : float
        In [-100, 100]; a negative percentile counts from the top
        (``percentile + 100``).
    %(rank_window)s
    %(rank_mode)s
    %(cval)s
    %(origin_multiple)s
    %(rank_axes)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    See Also
    --------
    rank_filter, median_filter

    Notes
    -----
    %(rank_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.array([[5, 1, 4, 2], [8, 3, 9, 0], [7, 6, 2, 5]])
    >>> ndimage.percentile_filter(x, 75, size=3)
    array([[5, 5, 4, 4],
           [7, 7, 5, 5],
           [7, 7, 6, 5]])
    """
    return _rank_filter(input, percentile, size, footprint, output, mode, cval, origin, axes,
                        workers, "percentile")
