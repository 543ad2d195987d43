"""scipy.ndimage drop-ins: generic_filter and generic_filter1d."""
from __future__ import annotations

import math
import warnings
from typing import Any, Callable, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._common import validate as V
from .._common.callbacks import LINE_SIGNATURES, ND_SIGNATURES, resolve_function
from .._common.docs import docfiller
from .._common.errors import (ArgumentError, ArgumentOverflowError, ArgumentTypeError,
                              FilterFunctionError)
from .._common.typing import Axes, IntOrSeq, Mode, Output, Scalar, Workers
from .._ops import generic as _generic

__all__ = ["generic_filter", "generic_filter1d"]

# the most entries of a window (a gather buffer of this many values per thread)
_MAX_TAPS = V.MAX_SPAN

# a Python callable or a scipy.LowLevelCallable
FilterFunction = Union[Callable[..., Any], Any]


def _extras(extra_arguments: Any, extra_keywords: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """scipy's rules: a tuple and a dict (else its RuntimeError)."""
    if not isinstance(extra_arguments, tuple):
        raise ArgumentTypeError(f"extra_arguments must be a tuple, got "
                                f"{type(extra_arguments).__name__} {extra_arguments!r}")
    if extra_keywords is None:
        extra_keywords = {}
    if not isinstance(extra_keywords, dict):
        raise ArgumentTypeError(f"extra_keywords must be a dictionary, got "
                                f"{type(extra_keywords).__name__} {extra_keywords!r}")
    return extra_arguments, extra_keywords


def _check_real(input: ArrayLike, name: str) -> NDArray[Any]:
    x = V.check_array(input, "input", min_ndim=0)
    if x.dtype.kind == "c":
        raise ArgumentTypeError(f"input has dtype {x.dtype}: complex input is not supported "
                                f"by {name} (as in scipy)")
    return x


@docfiller
def generic_filter(input: ArrayLike, function: FilterFunction, size: IntOrSeq | None = None,
                   footprint: ArrayLike | None = None, output: Output = None,
                   mode: Mode = "reflect", cval: Scalar = 0.0, origin: IntOrSeq = 0,
                   extra_arguments: tuple[Any, ...] = (),
                   extra_keywords: dict[str, Any] | None = None, *, axes: Axes = None,
                   workers: Workers = None) -> NDArray[Any]:
    """Calculate a multidimensional filter using the given function
    (scipy.ndimage.generic_filter).

    ``out[i] = function(w)``, where ``w`` is a new 1-D float64 array of
    the input's values under the window placed at ``i`` (the True entries
    of the footprint in C order), the input extended by ``mode``.  For a
    window of length ``L`` along an axis, output ``i`` covers
    ``x~[i - (L // 2 + origin) .. i - (L // 2 + origin) + L - 1]``.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    function : callable or scipy.LowLevelCallable
        ``function(window, *extra_arguments, **extra_keywords)`` returning
        a real number (anything ``float()`` of C accepts: ``PyFloat_AsDouble``),
        called once per output element, serially and under the GIL, in C
        order of the output.  Or a ``scipy.LowLevelCallable`` of signature
        ``int (double *buffer, intptr_t filter_size, double *return_value,
        void *user_data)`` (or ``npy_intp``, or the C integer type of that
        size, in place of ``intptr_t``) returning 1 on success and 0 on
        failure; it is called without the GIL and in parallel (on
        ``workers`` threads), so it must be thread-safe.
    %(rank_window)s
    %(rank_mode)s
    %(cval)s
    %(origin_multiple)s
    extra_arguments : tuple, optional
        Extra positional arguments of a Python ``function``.
    extra_keywords : dict, optional
        Extra keyword arguments of a Python ``function``.
    %(rank_axes)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``; the values are
        stored with scipy's cast (truncated toward zero and wrapped for
        integer outputs).

    Raises
    ------
    ValueError
        ``function`` is neither callable nor a LowLevelCallable, or the
        LowLevelCallable's signature is not one of scipy's.
    FilterFunctionError
        A RuntimeError: the C function returned 0.  Exceptions raised by a
        Python ``function`` (a TypeError for a result that is not a
        number) propagate unchanged.

    See Also
    --------
    generic_filter1d, rank_filter

    Notes
    -----
    The footprint may have no True entry (the function then gets empty
    arrays), as in scipy.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.array([[5, 1, 4, 2], [8, 3, 9, 0], [7, 6, 2, 5]])
    >>> ndimage.generic_filter(x, np.ptp, size=3)
    array([[7, 8, 9, 9],
           [7, 8, 9, 9],
           [5, 7, 9, 9]])
    >>> ndimage.generic_filter(x.astype(float), lambda w, k: w.sum() * k,
    ...                        footprint=[[0, 1, 0], [1, 0, 1], [0, 1, 0]],
    ...                        mode="constant", extra_arguments=(0.25,))
    array([[2.25, 3.  , 3.  , 1.  ],
           [3.75, 6.  , 2.25, 4.  ],
           [3.5 , 3.  , 5.  , 0.5 ]])
    """
    if size is not None and footprint is not None:
        warnings.warn("ignoring size because footprint is set", UserWarning, stacklevel=2)
    args, kwargs = _extras(extra_arguments, extra_keywords)
    x = _check_real(input, "generic_filter")
    axes_ = V.normalize_axes(axes, x.ndim)
    n = len(axes_)
    if footprint is not None:
        fp = np.asarray(footprint).astype(bool)
        if fp.ndim != n:
            raise ArgumentError(f"footprint has {fp.ndim} dimension(s) (shape {fp.shape}), "
                                f"but it must have one per filtered axis ({n})")
        if fp.size == 0:
            raise ArgumentError(f"footprint is empty (shape {fp.shape})")
    elif size is None:
        raise ArgumentError("either size or footprint must be given (got size=None, "
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
    fp, full_origin = V.place_window(fp, origins, axes_, x.ndim)
    shape = list(fp.shape)
    V.check_origins(full_origin, shape)
    code = V.mode_codes(mode, 1, "mode", allow_sequence=False)[0]
    cval = V.check_cval(cval, False)
    _, target = V.get_output(output, x, x.shape)
    func = resolve_function(function, ND_SIGNATURES)
    bases = [-(k // 2 + o) for k, o in zip(shape, full_origin)]
    call = _generic.generic_call(x, target, fp, bases, code, cval, func, args, kwargs,
                                 FilterFunctionError)
    return call(x, output, workers)


@docfiller
def generic_filter1d(input: ArrayLike, function: FilterFunction, filter_size: int,
                     axis: int = -1, output: Output = None, mode: Mode = "reflect",
                     cval: Scalar = 0.0, origin: int = 0,
                     extra_arguments: tuple[Any, ...] = (),
                     extra_keywords: dict[str, Any] | None = None, *,
                     workers: Workers = None) -> NDArray[Any]:
    """Calculate a 1-D filter along the given axis with the given function
    (scipy.ndimage.generic_filter1d).

    For every line of ``input`` along ``axis`` (length ``n``),
    ``function(input_line, output_line)`` gets a new float64 array of the
    ``n + filter_size - 1`` values ``x~[-(filter_size // 2 + origin) ..]``
    of the line extended by ``mode``, and a new float64 array of ``n``
    zeros to fill with the output line.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    function : callable or scipy.LowLevelCallable
        ``function(input_line, output_line, *extra_arguments,
        **extra_keywords)``, called once per line, serially and under the
        GIL (its return value is ignored).  Or a ``scipy.LowLevelCallable``
        of signature ``int (double *input_line, intptr_t input_length,
        double *output_line, intptr_t output_length, void *user_data)`` (or
        ``npy_intp``, or the C integer type of that size) returning 1 on
        success and 0 on failure; it is called without the GIL and in
        parallel (on ``workers`` threads), so it must be thread-safe.
    filter_size : int
        The filter length (>= 1).
    axis : int, optional
        The axis of the lines (default -1).
    output : ndarray or dtype, optional
        Output array or dtype (default: the input's dtype; values are
        stored with scipy's cast for its 1-D filters).
    %(rank_mode)s
    %(cval)s
    %(origin)s
    extra_arguments : tuple, optional
        Extra positional arguments of a Python ``function``.
    extra_keywords : dict, optional
        Extra keyword arguments of a Python ``function``.
    %(workers)s

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    Raises
    ------
    ValueError
        ``function`` is neither callable nor a LowLevelCallable, or the
        LowLevelCallable's signature is not one of scipy's.
    FilterFunctionError
        A RuntimeError: the C function returned 0.  Exceptions raised by a
        Python ``function`` propagate unchanged.

    See Also
    --------
    generic_filter

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> def diff(line_in, line_out):
    ...     line_out[:] = line_in[2:] - line_in[:-2]
    >>> ndimage.generic_filter1d(np.array([1.0, 2.0, 4.0, 7.0, 11.0]), diff, 3)
    array([1., 3., 5., 7., 4.])
    """
    args, kwargs = _extras(extra_arguments, extra_keywords)
    x = _check_real(input, "generic_filter1d")
    size = V.as_int(filter_size, "filter_size")
    if size < 1:
        raise ArgumentError(f"invalid filter size: filter_size must be >= 1, got "
                            f"{filter_size!r}")
    if size > _MAX_TAPS:
        raise ArgumentOverflowError(f"filter_size={filter_size!r}: at most {_MAX_TAPS} "
                                    "are supported")
    ax = V.normalize_axis(axis, x.ndim)
    org = V.as_int(origin, "origin")
    V.check_origins([org], [size])
    code = V.mode_codes(mode, 1, "mode", allow_sequence=False)[0]
    cval = V.check_cval(cval, False)
    _, target = V.get_output(output, x, x.shape)
    func = resolve_function(function, LINE_SIGNATURES)
    call = _generic.generic1d_call(x, target, ax, size, -(size // 2 + org), code, cval, func,
                                   args, kwargs, FilterFunctionError)
    return call(x, output, workers)
