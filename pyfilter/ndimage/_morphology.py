"""scipy.ndimage drop-ins: grey and binary morphology on the window-reduction
op (erosion = minimum over the window, dilation = maximum over the
reflected window; non-flat structuring elements in scipy's arithmetic),
composed by :mod:`pyfilter._ops.morphology`."""
from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._common import codes as C
from .._common import dtypes as D
from .._common import validate as V
from .._common.docs import docfiller
from .._common.errors import ArgumentError, ArgumentTypeError
from .._common.typing import Axes, IntOrSeq, ModeOrSeq, Output, Plan, Scalar, Workers
from .._ops import morphology as M
from .._ops import plans as P
from .._ops import reduce as _reduce
from ._minmax import _check_input, _plan_filter

__all__ = ["grey_erosion", "grey_dilation", "grey_opening", "grey_closing",
           "morphological_gradient", "morphological_laplace", "white_tophat",
           "black_tophat", "binary_erosion", "binary_dilation", "binary_opening",
           "binary_closing"]

_CACHE = P.Cache(128)

#: one planned erosion or dilation with fixed parameters, ``step(src, output) -> result``
_Step: TypeAlias = Callable[[ArrayLike, Output], NDArray[Any]]


def _warn_size(size: IntOrSeq | None, footprint: ArrayLike | None) -> None:
    if size is not None and footprint is not None:
        warnings.warn("ignoring size because footprint is set", UserWarning, stacklevel=3)


def _no_complex(x: NDArray[Any], name: str) -> None:
    if x.dtype.kind == "c":
        raise ArgumentTypeError(f"input has dtype {x.dtype}: complex input is not "
                                f"supported by {name} (as in scipy)")


def _expand(fp: NDArray[np.bool_], origins: Sequence[int], axes: Sequence[int],
            ndim: int) -> tuple[NDArray[np.bool_], list[int]]:
    """scipy's N-D placement of the window (validate.place_window)."""
    return V.place_window(fp, origins, axes, ndim)


def _origin_lengths(shape: Sequence[int], axes: Sequence[int], ndim: int,
                    box: bool | np.bool_) -> list[int]:
    """The window length each origin applies to: by position for a box
    (scipy's separable path) or when every axis is filtered; otherwise
    origin k goes to axis ``axes[k]``, whose length is the footprint's
    dimension of that axis' rank among the filtered axes."""
    if box or len(axes) == ndim:
        return list(shape)
    rank = sorted(axes)
    return [shape[rank.index(a)] for a in axes]


# ---------------------------------------------------------------- grey
def _plan_grey(input: NDArray[Any], size: IntOrSeq | None, footprint: ArrayLike | None,
               structure: ArrayLike | None, output: Output, mode: ModeOrSeq, cval: Scalar,
               origin: IntOrSeq, axes: Axes, dilate: bool) -> Plan:
    """Validate a grey_erosion/grey_dilation call and plan it as a minimum
    (maximum over the reflected window) on the reduction op."""
    name = "grey_dilation" if dilate else "grey_erosion"
    _no_complex(input, name)
    axes = V.normalize_axes(axes, input.ndim)
    n = len(axes)
    op = _reduce.OP_MAX if dilate else _reduce.OP_MIN
    fp: NDArray[np.bool_] | None = None
    st: NDArray[Any] | None = None
    if structure is not None:
        st = V.check_structure(structure, n)
        fp = (np.ones(st.shape, bool) if footprint is None
              else V.check_footprint(footprint, n, "footprint"))
        if st.shape != fp.shape:
            raise ArgumentError(f"structure has shape {st.shape}, but the footprint has shape "
                                f"{fp.shape}: they must be equal")
    elif footprint is not None:
        fp = V.check_footprint(footprint, n, "footprint")
    elif size is None:
        raise ArgumentError("size, footprint, or structure must be specified (got "
                            "size=None, footprint=None, structure=None)")
    origins = V.int_sequence(origin, n, "origin")
    if fp is not None:
        lengths = list(fp.shape)
        V.check_origins(origins, _origin_lengths(fp.shape, axes, input.ndim,
                                                 structure is None and fp.all()))
    else:
        lengths = V.int_sequence(size, n, "size", minimum=1)
        V.check_origins([o for o, s in zip(origins, lengths) if s > 1],
                        [s for s in lengths if s > 1])
    if dilate:
        origins = M.reflected_origins(origins, lengths)
        if fp is not None:
            fp = M.reflect(fp)
        if st is not None:
            st = M.reflect(st)
    if structure is None:
        return _plan_filter(input, None if fp is not None else lengths, fp, output, mode,
                            cval, origins, axes, op)
    # scipy's non-separable path, whatever the footprint: one mode, and
    # cval converted to an integer input's type first
    if not isinstance(mode, str):
        raise ArgumentError(f"mode={mode!r}: a sequence of modes is not supported with "
                            "structure (scipy's non-separable path)")
    cval = V.check_cval(cval, False)
    # fp and st are set: structure is not None here
    fp, full = _expand(cast("NDArray[np.bool_]", fp), origins, axes, input.ndim)
    st_full = np.asarray(st, np.float64).reshape(fp.shape)
    V.check_origins(full, fp.shape)
    code = V.mode_codes(mode, 1, "mode", allow_sequence=False)[0]
    _, target = V.get_output(output, input, input.shape)
    bases = [-(k // 2 + o) for k, o in zip(fp.shape, full)]
    return _reduce.structure_call(input, target, fp, st_full, bases, code, cval, op)


def _grey(input: ArrayLike, size: IntOrSeq | None, footprint: ArrayLike | None,
          structure: ArrayLike | None, output: Output, mode: ModeOrSeq, cval: Scalar,
          origin: IntOrSeq, axes: Axes, workers: Workers, dilate: bool) -> NDArray[Any]:
    def plan(input: NDArray[Any]) -> Plan:
        return _plan_grey(input, size, footprint, structure, output, mode, cval, origin,
                          axes, dilate)
    return P.run_cached(_CACHE, "grey_dilation" if dilate else "grey_erosion", input,
                        output, (size, footprint, structure, mode, cval, origin, axes),
                        plan, workers, _check_input)


def _pair(size: IntOrSeq | None, footprint: ArrayLike | None, structure: ArrayLike | None,
          mode: ModeOrSeq, cval: Scalar, origin: IntOrSeq, axes: Axes,
          workers: Workers) -> tuple[_Step, _Step]:
    """(dilate, erode): callables (src, output) -> result with these
    parameters."""
    def dilate(src: ArrayLike, out: Output) -> NDArray[Any]:
        return _grey(src, size, footprint, structure, out, mode, cval, origin, axes,
                     workers, True)

    def erode(src: ArrayLike, out: Output) -> NDArray[Any]:
        return _grey(src, size, footprint, structure, out, mode, cval, origin, axes,
                     workers, False)
    return dilate, erode


# ---------------------------------------------------------------- binary
def _binary_output(output: Output, shape: Sequence[int]) -> NDArray[Any] | None:
    """A given output array (checked), or None (scipy ignores anything that
    is not an array: the result is bool)."""
    if not isinstance(output, np.ndarray):
        return None
    if output.dtype.kind == "c":
        raise ArgumentTypeError(f"output has dtype {output.dtype}: a complex output is "
                                "not supported (as in scipy)")
    if output.shape != tuple(shape):
        raise ArgumentError(f"output has shape {output.shape}, but the result has shape "
                            f"{tuple(shape)}")
    if not V._supported(output.dtype):
        raise ArgumentTypeError(f"output has dtype {output.dtype}, which is not supported")
    if not output.flags.writeable:
        raise ArgumentError("output is read-only")
    return output


def _plan_binary_step(src: NDArray[Any], fp: NDArray[np.bool_], origins: Sequence[int],
                      border: int, op: int, output: NDArray[Any] | None) -> Plan:
    return _plan_filter(src, None, fp, output, "constant", border, origins, None, op)


def _binary(input: ArrayLike, structure: ArrayLike | None, iterations: int,
            mask: ArrayLike | None, output: Output, border_value: int, origin: IntOrSeq,
            axes: Axes, workers: Workers, dilate: bool) -> NDArray[Any]:
    """binary_erosion / binary_dilation: validate, then repeat one planned
    minimum (maximum over the reflected structure) of the bool image."""
    name = "binary_dilation" if dilate else "binary_erosion"
    x = V.check_array(input, "input", min_ndim=0)
    _no_complex(x, name)
    iterations = V.as_index(iterations, "iterations")
    axes = V.normalize_axes(axes, x.ndim)
    n = len(axes)
    if structure is None:
        st = M.cross(n)
    else:
        st = V.check_structure(structure, n).astype(bool)
    mask = V.check_mask(mask, x.shape)
    out = _binary_output(output, x.shape)
    border = int(V.as_index(border_value, "border_value") != 0)
    origins = V.int_sequence(origin, n, "origin")
    V.check_origins(origins, _origin_lengths(st.shape, axes, x.ndim, False))
    if dilate:
        st = M.reflect(st)
        origins = M.reflected_origins(origins, st.shape)
    fp, full = _expand(np.ascontiguousarray(st), origins, axes, x.ndim)
    xb = x if x.dtype == np.bool_ else x.astype(bool)
    op = _reduce.OP_MAX if dilate else _reduce.OP_MIN
    tag = name + "_step"
    args = (fp, tuple(full), border)

    if not fp.any():
        # the empty window: all True (erosion) or all False (dilation)
        def step(src: NDArray[Any], dst: NDArray[Any] | None) -> NDArray[Any]:
            if dst is None:
                return np.full(src.shape, not dilate)
            dst[...] = not dilate
            return dst
    else:
        def step(src: NDArray[Any], dst: NDArray[Any] | None) -> NDArray[Any]:
            def plan(src: NDArray[Any]) -> Plan:
                return _plan_binary_step(src, fp, full, border, op, dst)
            return P.run_cached(_CACHE, tag, src, dst, args, plan, workers, _check_input)

    if iterations == 1 and mask is None:
        return step(xb, out)
    res = M.iterate(lambda src: step(src, None), xb, iterations, mask)
    if out is None:
        return res
    np.copyto(out, res, casting="unsafe")
    return out


@docfiller
def grey_erosion(input: ArrayLike, size: IntOrSeq | None = None,
                 footprint: ArrayLike | None = None, structure: ArrayLike | None = None,
                 output: Output = None, mode: ModeOrSeq = "reflect", cval: Scalar = 0.0,
                 origin: IntOrSeq = 0, *, axes: Axes = None,
                 workers: Workers = None) -> NDArray[Any]:
    """Greyscale erosion (scipy.ndimage.grey_erosion).

    ``out[i]`` is the minimum of the input over the window (a box of
    ``size`` or the True entries of ``footprint``) placed at ``i``, the
    input extended by ``mode``: the same as :func:`minimum_filter`.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    %(grey_window)s
    output : ndarray or dtype, optional
        Output array or dtype (default: the input's dtype, with scipy's
        casting rules).
    %(grey_mode)s
    %(cval)s
    %(origin_multiple)s
    %(grey_axes)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The eroded array, of the shape of ``input``.

    See Also
    --------
    grey_dilation, grey_opening, minimum_filter

    Notes
    -----
    %(grey_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.array([[5, 6, 7, 8], [1, 9, 3, 4], [2, 8, 6, 0]])
    >>> ndimage.grey_erosion(x, size=(2, 2))
    array([[5, 5, 6, 7],
           [1, 1, 3, 3],
           [1, 1, 3, 0]])
    >>> ndimage.grey_erosion(x, footprint=[[0, 1, 0], [1, 1, 1], [0, 1, 0]],
    ...                      mode="constant", cval=10)
    array([[1, 5, 3, 4],
           [1, 1, 3, 0],
           [1, 2, 0, 0]])
    """
    _warn_size(size, footprint)
    return _grey(input, size, footprint, structure, output, mode, cval, origin, axes,
                 workers, False)


@docfiller
def grey_dilation(input: ArrayLike, size: IntOrSeq | None = None,
                  footprint: ArrayLike | None = None, structure: ArrayLike | None = None,
                  output: Output = None, mode: ModeOrSeq = "reflect", cval: Scalar = 0.0,
                  origin: IntOrSeq = 0, *, axes: Axes = None,
                  workers: Workers = None) -> NDArray[Any]:
    """Greyscale dilation (scipy.ndimage.grey_dilation).

    ``out[i]`` is the maximum of the input over the reflected window
    placed at ``i``: ``maximum_filter`` with the footprint reversed along
    every axis and ``origin`` replaced by ``-origin`` (one less along an
    axis of even length), as scipy does.  For a symmetric odd window it
    is :func:`maximum_filter`.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    %(grey_window)s
    output : ndarray or dtype, optional
        Output array or dtype (default: the input's dtype, with scipy's
        casting rules).
    %(grey_mode)s
    %(cval)s
    %(origin_multiple)s
    %(grey_axes)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The dilated array, of the shape of ``input``.

    See Also
    --------
    grey_erosion, grey_closing, maximum_filter

    Notes
    -----
    %(grey_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.array([[5, 6, 7, 8], [1, 9, 3, 4], [2, 8, 6, 0]])
    >>> ndimage.grey_dilation(x, size=(2, 2))
    array([[9, 9, 8, 8],
           [9, 9, 6, 4],
           [8, 8, 6, 0]])
    >>> ndimage.grey_dilation(np.array([0, 0, 3, 0, 0, 0]), footprint=[1, 1, 0])
    array([0, 3, 3, 0, 0, 0])
    """
    _warn_size(size, footprint)
    return _grey(input, size, footprint, structure, output, mode, cval, origin, axes,
                 workers, True)


@docfiller
def grey_opening(input: ArrayLike, size: IntOrSeq | None = None,
                 footprint: ArrayLike | None = None, structure: ArrayLike | None = None,
                 output: Output = None, mode: ModeOrSeq = "reflect", cval: Scalar = 0.0,
                 origin: IntOrSeq = 0, *, axes: Axes = None,
                 workers: Workers = None) -> NDArray[Any]:
    """Greyscale opening (scipy.ndimage.grey_opening).

    The erosion of ``input`` (in its dtype) followed by the dilation of
    that, with the same window, mode and origin: it removes bright
    details smaller than the window.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    %(grey_window)s
    output : ndarray or dtype, optional
        Output array or dtype of the dilation (default: the input's
        dtype, with scipy's casting rules).
    %(grey_mode)s
    %(cval)s
    %(origin_multiple)s
    %(grey_axes)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The opened array, of the shape of ``input``.

    See Also
    --------
    grey_closing, white_tophat

    Notes
    -----
    %(grey_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> ndimage.grey_opening(np.array([1, 1, 9, 1, 5, 5, 5, 1]), size=3)
    array([1, 1, 1, 1, 5, 5, 5, 1])
    """
    _warn_size(size, footprint)
    dilate, erode = _pair(size, footprint, structure, mode, cval, origin, axes, workers)
    return dilate(erode(input, None), output)


@docfiller
def grey_closing(input: ArrayLike, size: IntOrSeq | None = None,
                 footprint: ArrayLike | None = None, structure: ArrayLike | None = None,
                 output: Output = None, mode: ModeOrSeq = "reflect", cval: Scalar = 0.0,
                 origin: IntOrSeq = 0, *, axes: Axes = None,
                 workers: Workers = None) -> NDArray[Any]:
    """Greyscale closing (scipy.ndimage.grey_closing).

    The dilation of ``input`` (in its dtype) followed by the erosion of
    that, with the same window, mode and origin: it fills dark details
    smaller than the window.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    %(grey_window)s
    output : ndarray or dtype, optional
        Output array or dtype of the erosion (default: the input's dtype,
        with scipy's casting rules).
    %(grey_mode)s
    %(cval)s
    %(origin_multiple)s
    %(grey_axes)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The closed array, of the shape of ``input``.

    See Also
    --------
    grey_opening, black_tophat

    Notes
    -----
    %(grey_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> ndimage.grey_closing(np.array([5, 5, 0, 5, 1, 1, 1, 5]), size=3)
    array([5, 5, 5, 5, 1, 1, 1, 5])
    """
    _warn_size(size, footprint)
    dilate, erode = _pair(size, footprint, structure, mode, cval, origin, axes, workers)
    return erode(dilate(input, None), output)


@docfiller
def morphological_gradient(input: ArrayLike, size: IntOrSeq | None = None,
                           footprint: ArrayLike | None = None,
                           structure: ArrayLike | None = None, output: Output = None,
                           mode: ModeOrSeq = "reflect", cval: Scalar = 0.0,
                           origin: IntOrSeq = 0, *, axes: Axes = None,
                           workers: Workers = None) -> NDArray[Any]:
    """Morphological gradient: dilation - erosion (scipy.ndimage.morphological_gradient).

    Both are computed with the same window, mode and origin.  When
    ``output`` is an array the erosion is written into it and the
    dilation minus it computed there (numpy's casting rules); otherwise
    the difference is taken in the input's dtype and ``output`` is
    ignored, as in scipy.  A bool input raises numpy's TypeError for the
    boolean subtraction, as in scipy.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    %(grey_window)s
    output : ndarray, optional
        The array to write the result into (a dtype is ignored, as in
        scipy).
    %(grey_mode)s
    %(cval)s
    %(origin_multiple)s
    %(grey_axes)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The gradient, of the shape of ``input``.

    See Also
    --------
    morphological_laplace, grey_dilation, grey_erosion

    Notes
    -----
    %(grey_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> ndimage.morphological_gradient(np.array([0, 0, 4, 4, 4, 1, 1]), size=3)
    array([0, 4, 4, 0, 3, 3, 0])
    """
    dilate, erode = _pair(size, footprint, structure, mode, cval, origin, axes, workers)
    return M.gradient(dilate, erode, input, output)


@docfiller
def morphological_laplace(input: ArrayLike, size: IntOrSeq | None = None,
                          footprint: ArrayLike | None = None,
                          structure: ArrayLike | None = None, output: Output = None,
                          mode: ModeOrSeq = "reflect", cval: Scalar = 0.0,
                          origin: IntOrSeq = 0, *, axes: Axes = None,
                          workers: Workers = None) -> NDArray[Any]:
    """Morphological Laplacian: dilation + erosion - 2 input (scipy.ndimage.morphological_laplace).

    Computed as scipy does, in the result's dtype (integer types wrap):
    into ``output`` when it is an array (the erosion written there
    first), else in the input's dtype with ``output`` ignored.  A bool
    input raises numpy's TypeError for the boolean subtraction, as in
    scipy.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    %(grey_window)s
    output : ndarray, optional
        The array to write the result into (a dtype is ignored, as in
        scipy).
    %(grey_mode)s
    %(cval)s
    %(origin_multiple)s
    %(grey_axes)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The Laplacian, of the shape of ``input``.

    See Also
    --------
    morphological_gradient

    Notes
    -----
    %(grey_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> ndimage.morphological_laplace(np.array([0., 0., 4., 4., 4., 1., 1.]), size=3)
    array([ 0.,  4., -4.,  0., -3.,  3.,  0.])
    """
    x = V.check_array(input, "input", min_ndim=0)
    dilate, erode = _pair(size, footprint, structure, mode, cval, origin, axes, workers)
    return M.laplace(dilate, erode, x, output)


@docfiller
def white_tophat(input: ArrayLike, size: IntOrSeq | None = None,
                 footprint: ArrayLike | None = None, structure: ArrayLike | None = None,
                 output: Output = None, mode: ModeOrSeq = "reflect", cval: Scalar = 0.0,
                 origin: IntOrSeq = 0, *, axes: Axes = None,
                 workers: Workers = None) -> NDArray[Any]:
    """White top-hat: input - opening (scipy.ndimage.white_tophat).

    The opening is computed into ``output`` (an array or a dtype), then
    the difference there with numpy's casting rules (integer types wrap);
    for a bool input and a bool result, the exclusive or, as in scipy.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    %(grey_window)s
    output : ndarray or dtype, optional
        Output array or dtype (default: the input's dtype).
    %(grey_mode)s
    %(cval)s
    %(origin_multiple)s
    %(grey_axes)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The top-hat, of the shape of ``input``.

    See Also
    --------
    black_tophat, grey_opening

    Notes
    -----
    %(grey_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> ndimage.white_tophat(np.array([1, 1, 9, 1, 5, 5, 5, 1]), size=3)
    array([0, 0, 8, 0, 0, 0, 0, 0])
    """
    x = V.check_array(input, "input", min_ndim=0)
    _warn_size(size, footprint)
    dilate, erode = _pair(size, footprint, structure, mode, cval, origin, axes, workers)
    return M.white_tophat(dilate(erode(x, None), output), x)


@docfiller
def black_tophat(input: ArrayLike, size: IntOrSeq | None = None,
                 footprint: ArrayLike | None = None, structure: ArrayLike | None = None,
                 output: Output = None, mode: ModeOrSeq = "reflect", cval: Scalar = 0.0,
                 origin: IntOrSeq = 0, *, axes: Axes = None,
                 workers: Workers = None) -> NDArray[Any]:
    """Black top-hat: closing - input (scipy.ndimage.black_tophat).

    The closing is computed into ``output`` (an array or a dtype), then
    the difference there with numpy's casting rules (integer types wrap);
    for a bool input and a bool result, the exclusive or, as in scipy.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    %(grey_window)s
    output : ndarray or dtype, optional
        Output array or dtype (default: the input's dtype).
    %(grey_mode)s
    %(cval)s
    %(origin_multiple)s
    %(grey_axes)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The top-hat, of the shape of ``input``.

    See Also
    --------
    white_tophat, grey_closing

    Notes
    -----
    %(grey_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> ndimage.black_tophat(np.array([5, 5, 0, 5, 1, 1, 1, 5]), size=3)
    array([0, 0, 5, 0, 0, 0, 0, 0])
    """
    x = V.check_array(input, "input", min_ndim=0)
    _warn_size(size, footprint)
    dilate, erode = _pair(size, footprint, structure, mode, cval, origin, axes, workers)
    return M.black_tophat(erode(dilate(x, None), output), x)


@docfiller
def binary_erosion(input: ArrayLike, structure: ArrayLike | None = None,
                   iterations: int = 1, mask: ArrayLike | None = None, output: Output = None,
                   border_value: int = 0, origin: IntOrSeq = 0, brute_force: bool = False, *,
                   axes: Axes = None, workers: Workers = None) -> NDArray[Any]:
    """Binary erosion (scipy.ndimage.binary_erosion).

    ``out[i]`` is True where every True entry of ``structure`` placed at
    ``i`` covers a nonzero input (positions outside the array count as
    ``border_value``): a minimum filter of the bool image with mode
    'constant'.  Nonzero input counts as True.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    %(binary_params)s
    %(binary_output)s
    %(binary_tail)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The eroded image: ``output``, or a new bool array.

    See Also
    --------
    binary_dilation, binary_opening, grey_erosion

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.zeros((5, 6), bool)
    >>> x[1:4, 1:5] = True
    >>> ndimage.binary_erosion(x).astype(int)
    array([[0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0],
           [0, 0, 1, 1, 0, 0],
           [0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0]])
    >>> ndimage.binary_erosion(x, iterations=0, border_value=1).astype(int)
    array([[0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0]])
    """
    return _binary(input, structure, iterations, mask, output, border_value, origin, axes,
                   workers, False)


@docfiller
def binary_dilation(input: ArrayLike, structure: ArrayLike | None = None,
                    iterations: int = 1, mask: ArrayLike | None = None, output: Output = None,
                    border_value: int = 0, origin: IntOrSeq = 0, brute_force: bool = False, *,
                    axes: Axes = None, workers: Workers = None) -> NDArray[Any]:
    """Binary dilation (scipy.ndimage.binary_dilation).

    ``out[i]`` is True where the reflected ``structure`` placed at ``i``
    covers a nonzero input (positions outside the array count as
    ``border_value``): a maximum filter of the bool image with the
    structure reversed along every axis and scipy's reflected origin
    (``-origin``, one less along an axis of even length).  Nonzero input
    counts as True.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    %(binary_params)s
    %(binary_output)s
    %(binary_tail)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The dilated image: ``output``, or a new bool array.

    See Also
    --------
    binary_erosion, binary_closing, grey_dilation

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.zeros((5, 5), bool)
    >>> x[2, 2] = True
    >>> ndimage.binary_dilation(x).astype(int)
    array([[0, 0, 0, 0, 0],
           [0, 0, 1, 0, 0],
           [0, 1, 1, 1, 0],
           [0, 0, 1, 0, 0],
           [0, 0, 0, 0, 0]])
    >>> ndimage.binary_dilation(x, structure=np.ones((2, 2))).astype(int)
    array([[0, 0, 0, 0, 0],
           [0, 1, 1, 0, 0],
           [0, 1, 1, 0, 0],
           [0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0]])
    """
    return _binary(input, structure, iterations, mask, output, border_value, origin, axes,
                   workers, True)


@docfiller
def binary_opening(input: ArrayLike, structure: ArrayLike | None = None,
                   iterations: int = 1, output: Output = None, origin: IntOrSeq = 0,
                   mask: ArrayLike | None = None, border_value: int = 0,
                   brute_force: bool = False, *, axes: Axes = None,
                   workers: Workers = None) -> NDArray[Any]:
    """Binary opening (scipy.ndimage.binary_opening).

    ``iterations`` erosions followed by ``iterations`` dilations, both
    with ``structure``, ``mask``, ``border_value`` and ``origin`` (scipy's
    composition, so its border handling too): it removes objects smaller
    than the structure.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    %(binary_params)s
    %(binary_output)s
    %(binary_tail)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The opened image: ``output``, or a new bool array.

    See Also
    --------
    binary_closing, binary_erosion, binary_dilation

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.zeros((5, 7), bool)
    >>> x[1:4, 1:4] = True
    >>> x[2, 5] = True
    >>> ndimage.binary_opening(x).astype(int)
    array([[0, 0, 0, 0, 0, 0, 0],
           [0, 0, 1, 0, 0, 0, 0],
           [0, 1, 1, 1, 0, 0, 0],
           [0, 0, 1, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0]])
    """
    tmp = _binary(input, structure, iterations, mask, None, border_value, origin, axes,
                  workers, False)
    return _binary(tmp, structure, iterations, mask, output, border_value, origin, axes,
                   workers, True)


@docfiller
def binary_closing(input: ArrayLike, structure: ArrayLike | None = None,
                   iterations: int = 1, output: Output = None, origin: IntOrSeq = 0,
                   mask: ArrayLike | None = None, border_value: int = 0,
                   brute_force: bool = False, *, axes: Axes = None,
                   workers: Workers = None) -> NDArray[Any]:
    """Binary closing (scipy.ndimage.binary_closing).

    ``iterations`` dilations followed by ``iterations`` erosions, both
    with ``structure``, ``mask``, ``border_value`` and ``origin`` (scipy's
    composition: with ``border_value=0`` the erosion treats the outside as
    False, so objects touching the border lose their border pixels there
    as in scipy): it fills holes smaller than the structure.

    Parameters
    ----------
    %(input)s
        Complex input is rejected (as in scipy).
    %(binary_params)s
    %(binary_output)s
    %(binary_tail)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The closed image: ``output``, or a new bool array.

    See Also
    --------
    binary_opening, binary_dilation, binary_erosion

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.zeros((5, 7), bool)
    >>> x[1:4, 1:6] = True
    >>> x[2, 3] = False
    >>> ndimage.binary_closing(x).astype(int)
    array([[0, 0, 0, 0, 0, 0, 0],
           [0, 1, 1, 1, 1, 1, 0],
           [0, 1, 1, 1, 1, 1, 0],
           [0, 1, 1, 1, 1, 1, 0],
           [0, 0, 0, 0, 0, 0, 0]])
    """
    tmp = _binary(input, structure, iterations, mask, None, border_value, origin, axes,
                  workers, True)
    return _binary(tmp, structure, iterations, mask, output, border_value, origin, axes,
                   workers, False)
