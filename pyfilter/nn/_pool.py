"""Pooling with torch.nn.functional's semantics on numpy arrays.

Re-exported by :mod:`pyfilter.nn`.  Inputs are ``(N, C, *spatial)`` or
unbatched ``(C, *spatial)``; every output size comes from
:func:`pyfilter._common.shapes.conv_output_length` (torch's ceil_mode rule
included).  Values are computed by the window-reduction engine; argmax
indices, adaptive windows and the backward passes by its table and
scatter kernels.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Optional, Union, cast, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._common import validate as V
from .._common.docs import docfiller
from .._common.shapes import conv_output_length
from .._common.errors import ArgumentError
from .._common.typing import FloatArray, IntOrSeq, Plan, Workers
from .._ops import plans as P
from .._ops import pool as PL
from .._ops import reduce as R
from . import _args as A

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d",
           "avg_pool1d", "avg_pool2d", "avg_pool3d",
           "adaptive_avg_pool2d", "adaptive_max_pool2d",
           "global_avg_pool", "global_max_pool",
           "max_unpool1d", "max_unpool2d", "max_unpool3d",
           "max_pool1d_backward", "max_pool2d_backward", "max_pool3d_backward",
           "avg_pool1d_backward", "avg_pool2d_backward", "avg_pool3d_backward",
           "pool_output_shape"]

_CACHE = P.Cache(128)

#: adaptive pooling's output size: one for both axes or one per axis (None:
#: the input's size along that axis)
AdaptiveSize = Union[int, None, Sequence[Optional[int]]]


# ---------------------------------------------------------------- geometry
def _out_lengths(spatial: Sequence[int], k: Sequence[int], s: Sequence[int],
                 p: Sequence[int], d: Sequence[int], ceil_mode: bool,
                 name: str = "input") -> list[int]:
    out = [conv_output_length(n, ki, si, (pi, pi), di, bool(ceil_mode))
           for n, ki, si, pi, di in zip(spatial, k, s, p, d)]
    if any(o < 1 for o in out):
        raise ArgumentError(
            f"{name} spatial shape {tuple(spatial)} is too small for kernel_size={tuple(k)}, "
            f"stride={tuple(s)}, padding={tuple(p)}, dilation={tuple(d)}: the output "
            f"shape would be {tuple(out)}")
    return out


@docfiller
def pool_output_shape(input_shape: Sequence[int], kernel_size: IntOrSeq,
                      stride: IntOrSeq | None = None, padding: IntOrSeq = 0,
                      dilation: IntOrSeq = 1, ceil_mode: bool = False) -> tuple[int, ...]:
    """Shape of a pooling output (torch's formula, ceil_mode rule included).

    ``out = floor((n + 2 p - d (k - 1) - 1) / s) + 1`` per spatial axis
    (rounded up with ``ceil_mode``, except that a last window starting in
    the right padding is dropped).

    Parameters
    ----------
    input_shape : sequence of int
        ``(N, C, *spatial)``, or ``(C, *spatial)`` when ``kernel_size`` is a
        sequence (its length gives the number of spatial axes; an int
        ``kernel_size`` means every axis after the first two is spatial).
    %(pool_kernel_size)s
    %(pool_stride)s
    padding : int or sequence of int, optional
        Padding on both sides of each spatial axis, at most
        ``kernel_size // 2``.  Default 0.
    %(pool_dilation)s
    %(pool_ceil_mode)s

    Returns
    -------
    shape : tuple of int
        ``input_shape`` with its spatial sizes replaced by the output's.

    See Also
    --------
    conv_output_shape, max_pool2d

    Examples
    --------
    >>> from pyfilter import nn
    >>> nn.pool_output_shape((1, 64, 512, 512), 2)
    (1, 64, 256, 256)
    >>> nn.pool_output_shape((3, 5, 5), (3, 3), stride=2, padding=1, ceil_mode=True)
    (3, 3, 3)
    """
    shape = [V.as_int(v, "input_shape") for v in input_shape]
    nd = len(cast("Sequence[int]", kernel_size)) if np.ndim(kernel_size) else len(shape) - 2
    if nd < 1 or len(shape) < nd + 1:
        raise ArgumentError(f"input_shape {tuple(shape)} has no spatial axes for "
                            f"kernel_size={kernel_size!r}")
    k, s, p, d = A.pool_args(nd, kernel_size, stride, padding, dilation)
    out = _out_lengths(shape[-nd:], k, s, p, d, ceil_mode, "input_shape")
    return tuple(shape[:-nd]) + tuple(out)


def _check_input(x: ArrayLike) -> NDArray[Any]:
    return V.check_array(x, "input", min_ndim=0)


def _spatial(x: NDArray[Any], nd: int) -> tuple[int, ...]:
    return x.shape[x.ndim - nd:]


# ---------------------------------------------------------------- max / avg pooling
def _max_pool(nd: int, input: ArrayLike, kernel_size: IntOrSeq, stride: IntOrSeq | None,
              padding: IntOrSeq, dilation: IntOrSeq, ceil_mode: bool, return_indices: bool,
              workers: Workers) -> Any:
    def plan(x: NDArray[Any]) -> Plan:
        x, _ = A.check_pool_input(x, nd)
        k, s, p, d = A.pool_args(nd, kernel_size, stride, padding, dilation)
        m = _out_lengths(_spatial(x, nd), k, s, p, d, ceil_mode)
        return PL.max_pool_call(x, nd, k, s, p, d, m, bool(return_indices))
    return P.run_cached(_CACHE, f"max_pool{nd}d", input, None,
                        (kernel_size, stride, padding, dilation, ceil_mode, return_indices),
                        plan, workers, _check_input)


def _avg_pool(nd: int, input: ArrayLike, kernel_size: IntOrSeq, stride: IntOrSeq | None,
              padding: IntOrSeq, ceil_mode: bool, count_include_pad: bool,
              divisor_override: int | None, workers: Workers) -> FloatArray:
    def plan(x: NDArray[Any]) -> Plan:
        x, _ = A.check_pool_input(x, nd, floats_only=True)
        k, s, p, d = A.pool_args(nd, kernel_size, stride, padding)
        div = _divisor(divisor_override)
        m = _out_lengths(_spatial(x, nd), k, s, p, d, ceil_mode)
        return PL.avg_pool_call(x, nd, k, s, p, m, bool(count_include_pad), div)
    return P.run_cached(_CACHE, f"avg_pool{nd}d", input, None,
                        (kernel_size, stride, padding, ceil_mode, count_include_pad,
                         divisor_override), plan, workers, _check_input)


def _divisor(divisor_override: int | None) -> float:
    if divisor_override is None:
        return 0.0
    v = V.as_int(divisor_override, "divisor_override")
    if v == 0:
        raise ArgumentError("divisor_override must not be 0")
    return float(v)


@overload
def max_pool1d(input: ArrayLike, kernel_size: IntOrSeq, stride: IntOrSeq | None = ...,
               padding: IntOrSeq = ..., dilation: IntOrSeq = ..., ceil_mode: bool = ...,
               return_indices: Literal[False] = ..., *,
               workers: Workers = ...) -> NDArray[Any]: ...


@overload
def max_pool1d(input: ArrayLike, kernel_size: IntOrSeq, stride: IntOrSeq | None = ...,
               padding: IntOrSeq = ..., dilation: IntOrSeq = ..., ceil_mode: bool = ..., *,
               return_indices: Literal[True], workers: Workers = ...
               ) -> tuple[NDArray[Any], NDArray[np.int64]]: ...


@overload
def max_pool1d(input: ArrayLike, kernel_size: IntOrSeq, stride: IntOrSeq | None = ...,
               padding: IntOrSeq = ..., dilation: IntOrSeq = ..., ceil_mode: bool = ...,
               return_indices: bool = ..., *, workers: Workers = ...
               ) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]: ...


@docfiller
def max_pool1d(input: ArrayLike, kernel_size: IntOrSeq, stride: IntOrSeq | None = None,
               padding: IntOrSeq = 0, dilation: IntOrSeq = 1, ceil_mode: bool = False,
               return_indices: bool = False, *, workers: Workers = None
               ) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]:
    """1-D max pooling (torch.nn.functional.max_pool1d).

    ``out[..., o] = max`` of ``input`` over the window of ``kernel_size``
    taps spaced by ``dilation``, starting at ``o * stride - padding``.
    Padding counts as -inf (it never wins), and a window containing NaN
    gives NaN.

    Parameters
    ----------
    input : array_like
        ``(N, C, L)`` or unbatched ``(C, L)``; float32, float64 or an
        integer dtype.
    %(pool_kernel_size)s
    %(pool_stride)s
    %(pool_padding_max)s
    %(pool_dilation)s
    %(pool_ceil_mode)s
    return_indices : bool, optional
        Also return the argmax of every window as an index into its
        unpadded input row (``l``); ties go to the first element, NaN to
        the last NaN.  Used by :func:`max_unpool1d` and
        :func:`max_pool1d_backward`.  Default False.
    %(workers)s

    Returns
    -------
    out : ndarray
        Same dtype as ``input``; spatial size from
        :func:`pool_output_shape`.
    indices : ndarray of int64
        Only with ``return_indices``.

    See Also
    --------
    max_pool2d, avg_pool1d, pyfilter.ndimage.maximum_filter1d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.array([[1., 5., 2., 2., 7., 0.]])
    >>> nn.max_pool1d(x, 2)
    array([[5., 2., 7.]])
    >>> nn.max_pool1d(x, 3, stride=2, padding=1, return_indices=True)
    (array([[5., 5., 7.]]), array([[1, 1, 4]]))
    """
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices, workers)


@overload
def max_pool2d(input: ArrayLike, kernel_size: IntOrSeq, stride: IntOrSeq | None = ...,
               padding: IntOrSeq = ..., dilation: IntOrSeq = ..., ceil_mode: bool = ...,
               return_indices: Literal[False] = ..., *,
               workers: Workers = ...) -> NDArray[Any]: ...


@overload
def max_pool2d(input: ArrayLike, kernel_size: IntOrSeq, stride: IntOrSeq | None = ...,
               padding: IntOrSeq = ..., dilation: IntOrSeq = ..., ceil_mode: bool = ..., *,
               return_indices: Literal[True], workers: Workers = ...
               ) -> tuple[NDArray[Any], NDArray[np.int64]]: ...


@overload
def max_pool2d(input: ArrayLike, kernel_size: IntOrSeq, stride: IntOrSeq | None = ...,
               padding: IntOrSeq = ..., dilation: IntOrSeq = ..., ceil_mode: bool = ...,
               return_indices: bool = ..., *, workers: Workers = ...
               ) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]: ...


@docfiller
def max_pool2d(input: ArrayLike, kernel_size: IntOrSeq, stride: IntOrSeq | None = None,
               padding: IntOrSeq = 0, dilation: IntOrSeq = 1, ceil_mode: bool = False,
               return_indices: bool = False, *, workers: Workers = None
               ) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]:
    """2-D max pooling (torch.nn.functional.max_pool2d).

    ``out[..., i, j] = max`` of ``input`` over the window of
    ``kernel_size`` taps spaced by ``dilation``, starting at
    ``(i, j) * stride - padding``.  Padding counts as -inf (it never
    wins), and a window containing NaN gives NaN.

    Parameters
    ----------
    input : array_like
        ``(N, C, H, W)`` or unbatched ``(C, H, W)``; float32, float64 or an
        integer dtype.
    %(pool_kernel_size)s
    %(pool_stride)s
    %(pool_padding_max)s
    %(pool_dilation)s
    %(pool_ceil_mode)s
    return_indices : bool, optional
        Also return the argmax of every window as a flat index into its
        unpadded input plane (``h * W + w``); ties go to the first element
        in row-major order, NaN to the last NaN.  Used by
        :func:`max_unpool2d` and :func:`max_pool2d_backward`.  Default
        False.
    %(workers)s

    Returns
    -------
    out : ndarray
        Same dtype as ``input``; spatial sizes from
        :func:`pool_output_shape`.
    indices : ndarray of int64
        Only with ``return_indices``.

    See Also
    --------
    max_pool1d, max_pool3d, avg_pool2d, adaptive_max_pool2d,
    pyfilter.ndimage.maximum_filter

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 4, 4)
    >>> nn.max_pool2d(x, 2)
    array([[[ 5.,  7.],
            [13., 15.]]], dtype=float32)
    >>> nn.max_pool2d(x, 3, stride=2, ceil_mode=True, return_indices=True)[1]
    array([[[10, 11],
            [14, 15]]])
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices, workers)


@overload
def max_pool3d(input: ArrayLike, kernel_size: IntOrSeq, stride: IntOrSeq | None = ...,
               padding: IntOrSeq = ..., dilation: IntOrSeq = ..., ceil_mode: bool = ...,
               return_indices: Literal[False] = ..., *,
               workers: Workers = ...) -> NDArray[Any]: ...


@overload
def max_pool3d(input: ArrayLike, kernel_size: IntOrSeq, stride: IntOrSeq | None = ...,
               padding: IntOrSeq = ..., dilation: IntOrSeq = ..., ceil_mode: bool = ..., *,
               return_indices: Literal[True], workers: Workers = ...
               ) -> tuple[NDArray[Any], NDArray[np.int64]]: ...


@overload
def max_pool3d(input: ArrayLike, kernel_size: IntOrSeq, stride: IntOrSeq | None = ...,
               padding: IntOrSeq = ..., dilation: IntOrSeq = ..., ceil_mode: bool = ...,
               return_indices: bool = ..., *, workers: Workers = ...
               ) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]: ...


@docfiller
def max_pool3d(input: ArrayLike, kernel_size: IntOrSeq, stride: IntOrSeq | None = None,
               padding: IntOrSeq = 0, dilation: IntOrSeq = 1, ceil_mode: bool = False,
               return_indices: bool = False, *, workers: Workers = None
               ) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]:
    """3-D max pooling (torch.nn.functional.max_pool3d).

    ``out[..., i, j, k] = max`` of ``input`` over the window of
    ``kernel_size`` taps spaced by ``dilation``, starting at
    ``(i, j, k) * stride - padding``.  Padding counts as -inf (it never
    wins), and a window containing NaN gives NaN.

    Parameters
    ----------
    input : array_like
        ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``; float32, float64
        or an integer dtype.
    %(pool_kernel_size)s
    %(pool_stride)s
    %(pool_padding_max)s
    %(pool_dilation)s
    %(pool_ceil_mode)s
    return_indices : bool, optional
        Also return the argmax of every window as a flat index into its
        unpadded input volume (``(d * H + h) * W + w``); ties go to the
        first element in row-major order, NaN to the last NaN.  Used by
        :func:`max_unpool3d` and :func:`max_pool3d_backward`.  Default
        False.
    %(workers)s

    Returns
    -------
    out : ndarray
        Same dtype as ``input``; spatial sizes from
        :func:`pool_output_shape`.
    indices : ndarray of int64
        Only with ``return_indices``.

    See Also
    --------
    max_pool2d, avg_pool3d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.arange(64.0).reshape(1, 1, 4, 4, 4)
    >>> nn.max_pool3d(x, 2)[0, 0]
    array([[[21., 23.],
            [29., 31.]],
    <BLANKLINE>
           [[53., 55.],
            [61., 63.]]])
    """
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices, workers)


@docfiller
def avg_pool1d(input: ArrayLike, kernel_size: IntOrSeq, stride: IntOrSeq | None = None,
               padding: IntOrSeq = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               *, workers: Workers = None) -> FloatArray:
    """1-D average pooling (torch.nn.functional.avg_pool1d).

    ``out[..., o] = sum / divisor`` over the window of ``kernel_size``
    elements starting at ``o * stride - padding`` (zero padding).  The
    divisor is the window size clipped to the padded input
    (``count_include_pad``: padding counts, the ``ceil_mode`` overhang
    does not) or to the input itself (``count_include_pad=False``), as
    torch computes it.  torch's ``avg_pool1d`` has no
    ``divisor_override``, nor has this one.

    Parameters
    ----------
    input : array_like
        ``(N, C, L)`` or unbatched ``(C, L)``; float32 or float64 (float32
        is accumulated in float32, as torch does).
    %(pool_kernel_size)s
    %(pool_stride)s
    %(pool_padding_avg)s
    %(pool_ceil_mode)s
    %(pool_count_include_pad)s
    %(workers)s

    Returns
    -------
    out : ndarray
        Same dtype as ``input``; spatial size from
        :func:`pool_output_shape`.

    See Also
    --------
    avg_pool2d, max_pool1d, pyfilter.ndimage.uniform_filter1d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> nn.avg_pool1d(np.arange(8.0).reshape(1, 8), 3, stride=2, padding=1)
    array([[0.33333333, 2.        , 4.        , 6.        ]])
    """
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None, workers)


@docfiller
def avg_pool2d(input: ArrayLike, kernel_size: IntOrSeq, stride: IntOrSeq | None = None,
               padding: IntOrSeq = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None, *, workers: Workers = None) -> FloatArray:
    """2-D average pooling (torch.nn.functional.avg_pool2d).

    ``out[..., i, j] = sum / divisor`` over the window of ``kernel_size``
    elements starting at ``(i, j) * stride - padding`` (zero padding).
    The divisor is ``divisor_override`` when given, else the window size
    clipped to the padded input (``count_include_pad``: padding counts,
    the ``ceil_mode`` overhang does not) or to the input itself
    (``count_include_pad=False``), as torch computes it.

    Parameters
    ----------
    input : array_like
        ``(N, C, H, W)`` or unbatched ``(C, H, W)``; float32 or float64
        (float32 is accumulated in float32, as torch does).
    %(pool_kernel_size)s
    %(pool_stride)s
    %(pool_padding_avg)s
    %(pool_ceil_mode)s
    %(pool_count_include_pad)s
    %(pool_divisor_override)s
    %(workers)s

    Returns
    -------
    out : ndarray
        Same dtype as ``input``; spatial sizes from
        :func:`pool_output_shape`.

    See Also
    --------
    avg_pool1d, avg_pool3d, adaptive_avg_pool2d, max_pool2d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.arange(25.0).reshape(1, 5, 5)
    >>> nn.avg_pool2d(x, 3, stride=2, padding=1)[0, 0]
    array([1.33333333, 3.        , 2.66666667])
    >>> nn.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)[0, 0]
    array([3. , 4.5, 6. ])
    """
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override, workers)


@docfiller
def avg_pool3d(input: ArrayLike, kernel_size: IntOrSeq, stride: IntOrSeq | None = None,
               padding: IntOrSeq = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None, *, workers: Workers = None) -> FloatArray:
    """3-D average pooling (torch.nn.functional.avg_pool3d).

    ``out[..., i, j, k] = sum / divisor`` over the window of
    ``kernel_size`` elements starting at ``(i, j, k) * stride - padding``
    (zero padding).  The divisor is ``divisor_override`` when given, else
    the window size clipped to the padded input (``count_include_pad``:
    padding counts, the ``ceil_mode`` overhang does not) or to the input
    itself (``count_include_pad=False``), as torch computes it.

    Parameters
    ----------
    input : array_like
        ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``; float32 or
        float64 (float32 is accumulated in float32, as torch does).
    %(pool_kernel_size)s
    %(pool_stride)s
    %(pool_padding_avg)s
    %(pool_ceil_mode)s
    %(pool_count_include_pad)s
    %(pool_divisor_override)s
    %(workers)s

    Returns
    -------
    out : ndarray
        Same dtype as ``input``; spatial sizes from
        :func:`pool_output_shape`.

    See Also
    --------
    avg_pool2d, max_pool3d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> nn.avg_pool3d(np.ones((1, 4, 4, 4)), 2, divisor_override=1)[0, 0, 0]
    array([8., 8.])
    >>> nn.avg_pool3d(np.ones((1, 4, 4, 4)), 2)[0, 0, 0]
    array([1., 1.])
    """
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override, workers)


# ---------------------------------------------------------------- adaptive / global
def _adaptive_size(output_size: Any, spatial: Sequence[int]) -> list[int]:
    if np.ndim(output_size) == 0:
        sizes = [output_size] * len(spatial)
    else:
        sizes = list(output_size)
        if len(sizes) != len(spatial):
            raise ArgumentError(f"output_size must be an int or have {len(spatial)} entries, "
                                f"got {output_size!r}")
    out = []
    for v, n in zip(sizes, spatial):
        if v is None:
            out.append(n)
            continue
        v = V.as_int(v, "output_size")
        if v < 0:
            raise ArgumentError(f"output_size entries must be >= 0 (or None), got {output_size!r}")
        out.append(v)
    return out


def _adaptive(input: ArrayLike, output_size: AdaptiveSize, op: int, return_indices: bool,
              workers: Workers) -> Any:
    def plan(x: NDArray[Any]) -> Plan:
        x, _ = A.check_pool_input(x, 2, floats_only=(op == R.OP_SUM))
        m = _adaptive_size(output_size, _spatial(x, 2))
        return PL.adaptive_call(x, m, op, bool(return_indices))
    tag = "adaptive_avg_pool2d" if op == R.OP_SUM else "adaptive_max_pool2d"
    return P.run_cached(_CACHE, tag, input, None, (output_size, return_indices), plan,
                        workers, _check_input)


@docfiller
def adaptive_avg_pool2d(input: ArrayLike, output_size: AdaptiveSize, *,
                        workers: Workers = None) -> FloatArray:
    """2-D adaptive average pooling (torch.nn.functional.adaptive_avg_pool2d).

    Output cell ``i`` along an axis of length ``n`` averages input
    ``floor(i * n / m) .. ceil((i + 1) * n / m) - 1`` (torch's bin edges).

    Parameters
    ----------
    input : array_like
        ``(N, C, H, W)`` or ``(C, H, W)``, float32 or float64.
    output_size : int or (int or None, int or None)
        The output's ``(H_out, W_out)`` (one int for both); None keeps the
        input's size along that axis.
    %(workers)s

    Returns
    -------
    out : ndarray
        ``(N, C, H_out, W_out)`` (or ``(C, H_out, W_out)``), the dtype of
        ``input``.

    See Also
    --------
    adaptive_max_pool2d, global_avg_pool, avg_pool2d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> nn.adaptive_avg_pool2d(np.arange(49.0).reshape(1, 7, 7), 3)[0]
    array([[ 8., 10., 12.],
           [22., 24., 26.],
           [36., 38., 40.]])
    """
    return _adaptive(input, output_size, R.OP_SUM, False, workers)


@overload
def adaptive_max_pool2d(input: ArrayLike, output_size: AdaptiveSize,
                        return_indices: Literal[False] = ..., *,
                        workers: Workers = ...) -> NDArray[Any]: ...


@overload
def adaptive_max_pool2d(input: ArrayLike, output_size: AdaptiveSize, *,
                        return_indices: Literal[True], workers: Workers = ...
                        ) -> tuple[NDArray[Any], NDArray[np.int64]]: ...


@overload
def adaptive_max_pool2d(input: ArrayLike, output_size: AdaptiveSize,
                        return_indices: bool = ..., *, workers: Workers = ...
                        ) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]: ...


@docfiller
def adaptive_max_pool2d(input: ArrayLike, output_size: AdaptiveSize,
                        return_indices: bool = False, *, workers: Workers = None
                        ) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]:
    """2-D adaptive max pooling (torch.nn.functional.adaptive_max_pool2d).

    Bins as in :func:`adaptive_avg_pool2d`; indices, ties and NaN as in
    :func:`max_pool2d`.  Integer inputs are accepted too.

    Parameters
    ----------
    input : array_like
        ``(N, C, H, W)`` or ``(C, H, W)``; float32, float64 or an integer
        dtype.
    output_size : int or (int or None, int or None)
        The output's ``(H_out, W_out)`` (one int for both); None keeps the
        input's size along that axis.
    return_indices : bool, optional
        Also return the argmax of every bin as a flat index ``h * W + w``
        into its input plane.  Default False.
    %(workers)s

    Returns
    -------
    out : ndarray
        ``(N, C, H_out, W_out)`` (or ``(C, H_out, W_out)``), the dtype of
        ``input``.
    indices : ndarray of int64
        Only with ``return_indices``.

    See Also
    --------
    adaptive_avg_pool2d, global_max_pool, max_pool2d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> nn.adaptive_max_pool2d(np.arange(49.0).reshape(1, 7, 7), (3, 2))[0]
    array([[17., 20.],
           [31., 34.],
           [45., 48.]])
    """
    return _adaptive(input, output_size, R.OP_MAX, return_indices, workers)


def _check_global(x: NDArray[Any], op: int) -> NDArray[Any]:
    x = V.check_array(x, "input")
    if x.ndim < 3:
        raise ArgumentError(f"input must have shape (N, C, *spatial) with at least one "
                            f"spatial axis; got an array of shape {x.shape}")
    kinds = "f" if op == R.OP_SUM else "fiu"
    if x.dtype.kind not in kinds:
        raise TypeError(f"input has dtype {x.dtype}; this operation needs "
                        f"{'float32 or float64' if op == R.OP_SUM else 'a float or integer dtype'}")
    if any(n == 0 for n in x.shape[2:]):
        raise ArgumentError(f"input has shape {x.shape}: the spatial axes must not be empty")
    return x


def _global(input: ArrayLike, op: int, keepdims: bool, workers: Workers) -> NDArray[Any]:
    def plan(x: NDArray[Any]) -> Plan:
        return PL.global_call(_check_global(x, op), op, bool(keepdims))
    tag = "global_avg_pool" if op == R.OP_SUM else "global_max_pool"
    return P.run_cached(_CACHE, tag, input, None, (keepdims,), plan, workers,
                        lambda x: V.check_array(x, "input"))


@docfiller
def global_avg_pool(input: ArrayLike, keepdims: bool = False, *,
                    workers: Workers = None) -> FloatArray:
    """Mean over all spatial axes of ``(N, C, *spatial)``.

    Equals ``adaptive_avg_pool2d(input, 1)`` for 2-D inputs, and
    ``input.mean(axis=(2, ...))``.

    Parameters
    ----------
    input : array_like
        ``(N, C, *spatial)`` with at least one spatial axis; float32 or
        float64.
    keepdims : bool, optional
        Keep the spatial axes with length 1 (shape ``(N, C, 1, ...)``);
        default: return ``(N, C)``.
    %(workers)s

    Returns
    -------
    out : ndarray
        ``(N, C)`` (or ``(N, C, 1, ...)`` with ``keepdims``), the dtype of
        ``input``.

    See Also
    --------
    global_max_pool, adaptive_avg_pool2d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> nn.global_avg_pool(np.arange(16.0).reshape(1, 2, 2, 4))
    array([[ 3.5, 11.5]])
    """
    return _global(input, R.OP_SUM, keepdims, workers)


@docfiller
def global_max_pool(input: ArrayLike, keepdims: bool = False, *,
                    workers: Workers = None) -> NDArray[Any]:
    """Maximum over all spatial axes of ``(N, C, *spatial)`` (NaN propagates).

    Parameters
    ----------
    input : array_like
        ``(N, C, *spatial)`` with at least one spatial axis; float or
        integer dtype.
    keepdims : bool, optional
        Keep the spatial axes with length 1 (shape ``(N, C, 1, ...)``);
        default: return ``(N, C)``.
    %(workers)s

    Returns
    -------
    out : ndarray
        ``(N, C)`` (or ``(N, C, 1, ...)`` with ``keepdims``), the dtype of
        ``input``.

    See Also
    --------
    global_avg_pool, adaptive_max_pool2d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> nn.global_max_pool(np.arange(16).reshape(1, 2, 2, 4))
    array([[ 7, 15]])
    """
    return _global(input, R.OP_MAX, keepdims, workers)


# ---------------------------------------------------------------- unpooling
def _check_pair(first: ArrayLike, second: ArrayLike,
                name2: str) -> tuple[NDArray[Any], NDArray[Any]]:
    return (V.check_array(first, "input", min_ndim=0),
            V.check_array(second, name2, min_ndim=0))


def _max_unpool(nd: int, input: ArrayLike, indices: ArrayLike, kernel_size: IntOrSeq,
                stride: IntOrSeq | None, padding: IntOrSeq, output_size: Any,
                workers: Workers) -> NDArray[Any]:
    def plan(x: NDArray[Any], idx: NDArray[Any]) -> Plan:
        x, _ = A.check_pool_input(x, nd)
        k, s, p, _ = A.pool_args(nd, kernel_size, stride, padding)
        if idx.dtype.kind not in "iu":
            raise TypeError(f"indices must be an integer array, got dtype {idx.dtype}")
        if idx.shape != x.shape:
            raise ArgumentError(f"indices has shape {idx.shape}, but it must have the shape "
                                f"of the pooled input {x.shape}")
        spatial = _spatial(x, nd)
        default = [(n - 1) * si - 2 * pi + ki for n, si, pi, ki in zip(spatial, s, p, k)]
        if output_size is None:
            size = default
        else:
            size = [V.as_int(v, "output_size") for v in (
                [output_size] * nd if np.ndim(output_size) == 0 else list(output_size))]
            if len(size) == nd + 2:
                size = size[2:]
            if len(size) != nd:
                raise ArgumentError(f"output_size must have {nd} or {nd + 2} entries, "
                                    f"got {output_size!r}")
            for sz, df, si in zip(size, default, s):
                if not df - si < sz < df + si:
                    raise ArgumentError(
                        f"output_size={output_size!r} cannot be produced by unpooling "
                        f"{tuple(spatial)} with kernel_size={tuple(k)}, stride={tuple(s)}, "
                        f"padding={tuple(p)}: each entry must lie strictly between "
                        f"{tuple(d - si for d, si in zip(default, s))} and "
                        f"{tuple(d + si for d, si in zip(default, s))}")
        if any(sz < 1 for sz in size):
            raise ArgumentError(f"the unpooled spatial shape {tuple(size)} is empty")
        return PL.unpool_call(x, nd, size)
    return PL.run_cached_pair(_CACHE, f"max_unpool{nd}d", input, indices,
                              (kernel_size, stride, padding, output_size), plan, workers,
                              lambda x, i: _check_pair(x, i, "indices"))


@docfiller
def max_unpool1d(input: ArrayLike, indices: ArrayLike, kernel_size: IntOrSeq,
                 stride: IntOrSeq | None = None, padding: IntOrSeq = 0,
                 output_size: IntOrSeq | None = None, *, workers: Workers = None) -> NDArray[Any]:
    """Partial inverse of :func:`max_pool1d` (torch.nn.functional.max_unpool1d).

    Scatters each input value to the position given by ``indices`` in a
    zero-filled output row (``out[indices[i]] = input[i]`` per row; the
    last write wins when indices repeat).

    Parameters
    ----------
    input : array_like
        ``(N, C, L)`` or ``(C, L)``: pooled values.
    indices : array_like of int
        Same shape as ``input``, e.g. from ``max_pool1d(...,
        return_indices=True)``.  Every index must lie inside the output
        row.
    kernel_size, stride, padding : int or tuple of int
        The pooling's parameters (stride None: the kernel size).
    output_size : sequence of int, optional
        The spatial output shape (or the full shape); default
        ``(n - 1) * stride - 2 * padding + kernel_size``.  Each entry must
        lie strictly between that default minus and plus the stride
        (torch's rule).
    %(workers)s

    Returns
    -------
    out : ndarray
        ``(N, C, L_out)`` (or ``(C, L_out)``), the dtype of ``input``.

    See Also
    --------
    max_pool1d, max_unpool2d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> y, i = nn.max_pool1d(np.array([[1., 5., 2., 2., 7., 0.]]), 2, return_indices=True)
    >>> nn.max_unpool1d(y, i, 2)
    array([[0., 5., 2., 0., 7., 0.]])
    """
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size, workers)


@docfiller
def max_unpool2d(input: ArrayLike, indices: ArrayLike, kernel_size: IntOrSeq,
                 stride: IntOrSeq | None = None, padding: IntOrSeq = 0,
                 output_size: IntOrSeq | None = None, *, workers: Workers = None) -> NDArray[Any]:
    """Partial inverse of :func:`max_pool2d` (torch.nn.functional.max_unpool2d).

    Scatters each input value to the flat position given by ``indices``
    in a zero-filled output plane (``out.flat[indices[i]] = input[i]`` per
    plane; the last write wins when indices repeat).

    Parameters
    ----------
    input : array_like
        ``(N, C, H, W)`` or ``(C, H, W)``: pooled values.
    indices : array_like of int
        Same shape as ``input``, e.g. from ``max_pool2d(...,
        return_indices=True)``.  Every index must lie inside the output
        plane.
    kernel_size, stride, padding : int or tuple of int
        The pooling's parameters (stride None: the kernel size).
    output_size : sequence of int, optional
        The spatial output shape (or the full shape); default
        ``(n - 1) * stride - 2 * padding + kernel_size`` per axis.  Each
        entry must lie strictly between that default minus and plus the
        stride (torch's rule).
    %(workers)s

    Returns
    -------
    out : ndarray
        ``(N, C, H_out, W_out)`` (or ``(C, H_out, W_out)``), the dtype of
        ``input``.

    See Also
    --------
    max_pool2d, max_unpool1d, max_unpool3d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.arange(16.0).reshape(1, 4, 4)
    >>> y, i = nn.max_pool2d(x, 2, return_indices=True)
    >>> nn.max_unpool2d(y, i, 2)[0]
    array([[ 0.,  0.,  0.,  0.],
           [ 0.,  5.,  0.,  7.],
           [ 0.,  0.,  0.,  0.],
           [ 0., 13.,  0., 15.]])
    """
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size, workers)


@docfiller
def max_unpool3d(input: ArrayLike, indices: ArrayLike, kernel_size: IntOrSeq,
                 stride: IntOrSeq | None = None, padding: IntOrSeq = 0,
                 output_size: IntOrSeq | None = None, *, workers: Workers = None) -> NDArray[Any]:
    """Partial inverse of :func:`max_pool3d` (torch.nn.functional.max_unpool3d).

    Scatters each input value to the flat position given by ``indices``
    in a zero-filled output volume (``out.flat[indices[i]] = input[i]``
    per volume; the last write wins when indices repeat).

    Parameters
    ----------
    input : array_like
        ``(N, C, D, H, W)`` or ``(C, D, H, W)``: pooled values.
    indices : array_like of int
        Same shape as ``input``, e.g. from ``max_pool3d(...,
        return_indices=True)``.  Every index must lie inside the output
        volume.
    kernel_size, stride, padding : int or tuple of int
        The pooling's parameters (stride None: the kernel size).
    output_size : sequence of int, optional
        The spatial output shape (or the full shape); default
        ``(n - 1) * stride - 2 * padding + kernel_size`` per axis.  Each
        entry must lie strictly between that default minus and plus the
        stride (torch's rule).
    %(workers)s

    Returns
    -------
    out : ndarray
        ``(N, C, D_out, H_out, W_out)`` (or without N), the dtype of
        ``input``.

    See Also
    --------
    max_pool3d, max_unpool2d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> y, i = nn.max_pool3d(np.arange(8.0).reshape(1, 2, 2, 2), 2, return_indices=True)
    >>> nn.max_unpool3d(y, i, 2)[0, 1]
    array([[0., 0.],
           [0., 7.]])
    """
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size, workers)


# ---------------------------------------------------------------- backward passes
def _check_grad(grad_output: ArrayLike, shape: Sequence[int]) -> FloatArray:
    g = V.check_array(grad_output, "grad_output", min_ndim=0)
    if g.dtype.kind != "f":
        raise TypeError(f"grad_output must be float32 or float64, got dtype {g.dtype}")
    if g.shape != tuple(shape):
        raise ArgumentError(f"grad_output has shape {g.shape}, but the pooled output has "
                            f"shape {tuple(shape)}")
    return g


def _max_pool_backward(nd: int, grad_output: ArrayLike, input: ArrayLike,
                       kernel_size: IntOrSeq, stride: IntOrSeq | None, padding: IntOrSeq,
                       dilation: IntOrSeq, ceil_mode: bool, workers: Workers) -> FloatArray:
    def plan(x: NDArray[Any], g: NDArray[Any]) -> Plan:
        x, _ = A.check_pool_input(x, nd)
        k, s, p, d = A.pool_args(nd, kernel_size, stride, padding, dilation)
        m = _out_lengths(_spatial(x, nd), k, s, p, d, ceil_mode)
        g = _check_grad(g, x.shape[:x.ndim - nd] + tuple(m))
        return PL.max_pool_backward_call(x, g.dtype, nd, k, s, p, d, m)
    return PL.run_cached_pair(_CACHE, f"max_pool{nd}d_backward", input, grad_output,
                              (kernel_size, stride, padding, dilation, ceil_mode), plan,
                              workers, lambda x, g: _check_pair(x, g, "grad_output"))


def _avg_pool_backward(nd: int, grad_output: ArrayLike, input_shape: Sequence[int],
                       kernel_size: IntOrSeq, stride: IntOrSeq | None, padding: IntOrSeq,
                       ceil_mode: bool, count_include_pad: bool,
                       divisor_override: int | None, workers: Workers) -> FloatArray:
    def plan(g: NDArray[Any]) -> Plan:
        shape = [V.as_int(v, "input_shape") for v in input_shape]
        if len(shape) not in (nd + 1, nd + 2) or any(v < 0 for v in shape):
            raise ArgumentError(f"input_shape must be (N, C, *spatial) or (C, *spatial) with "
                                f"{nd} spatial axis/axes, got {tuple(input_shape)!r}")
        if any(v == 0 for v in shape[len(shape) - nd - 1:]):
            raise ArgumentError(f"input_shape {tuple(shape)}: only the batch axis may be "
                                "empty")
        k, s, p, d = A.pool_args(nd, kernel_size, stride, padding)
        div = _divisor(divisor_override)
        spatial = shape[len(shape) - nd:]
        m = _out_lengths(spatial, k, s, p, d, ceil_mode, "input_shape")
        g = _check_grad(g, tuple(shape[:-nd]) + tuple(m))
        return PL.avg_pool_backward_call(g, shape, nd, k, s, p, m, bool(count_include_pad),
                                         div)
    return P.run_cached(_CACHE, f"avg_pool{nd}d_backward", grad_output, None,
                        (input_shape, kernel_size, stride, padding, ceil_mode,
                         count_include_pad, divisor_override), plan, workers,
                        lambda g: V.check_array(g, "grad_output", min_ndim=0))


@docfiller
def max_pool1d_backward(grad_output: ArrayLike, input: ArrayLike, kernel_size: IntOrSeq,
                        stride: IntOrSeq | None = None, padding: IntOrSeq = 0,
                        dilation: IntOrSeq = 1, ceil_mode: bool = False, *,
                        workers: Workers = None) -> FloatArray:
    """Gradient of :func:`max_pool1d` with respect to its input.

    Every ``grad_output`` element is added to the input position of its
    window's argmax (the index :func:`max_pool1d` returns), accumulating
    where windows overlap; equals torch's autograd result.

    Parameters
    ----------
    grad_output : array_like
        float32 or float64, the shape of the pooled output.
    input : array_like
        The pooling's input, ``(N, C, L)`` or ``(C, L)`` (its argmax
        positions are recomputed).
    kernel_size, stride, padding, dilation, ceil_mode
        The pooling's parameters (stride None: the kernel size).
    %(workers)s

    Returns
    -------
    grad_input : ndarray
        The shape of ``input``, the dtype of ``grad_output``.

    See Also
    --------
    max_pool1d, avg_pool1d_backward

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.array([[1., 5., 2., 2., 7., 0.]])
    >>> nn.max_pool1d_backward(np.ones((1, 5)), x, 2, stride=1)
    array([[0., 2., 1., 0., 2., 0.]])
    """
    return _max_pool_backward(1, grad_output, input, kernel_size, stride, padding,
                              dilation, ceil_mode, workers)


@docfiller
def max_pool2d_backward(grad_output: ArrayLike, input: ArrayLike, kernel_size: IntOrSeq,
                        stride: IntOrSeq | None = None, padding: IntOrSeq = 0,
                        dilation: IntOrSeq = 1, ceil_mode: bool = False, *,
                        workers: Workers = None) -> FloatArray:
    """Gradient of :func:`max_pool2d` with respect to its input.

    Every ``grad_output`` element is added to the input position of its
    window's argmax (the index :func:`max_pool2d` returns), accumulating
    where windows overlap; equals torch's autograd result.

    Parameters
    ----------
    grad_output : array_like
        float32 or float64, the shape of the pooled output.
    input : array_like
        The pooling's input, ``(N, C, H, W)`` or ``(C, H, W)`` (its argmax
        positions are recomputed).
    kernel_size, stride, padding, dilation, ceil_mode
        The pooling's parameters (stride None: the kernel size).
    %(workers)s

    Returns
    -------
    grad_input : ndarray
        The shape of ``input``, the dtype of ``grad_output``.

    See Also
    --------
    max_pool2d, avg_pool2d_backward

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.arange(9.0).reshape(1, 3, 3)
    >>> nn.max_pool2d_backward(np.ones((1, 2, 2)), x, 2, stride=1)[0]
    array([[0., 0., 0.],
           [0., 1., 1.],
           [0., 1., 1.]])
    """
    return _max_pool_backward(2, grad_output, input, kernel_size, stride, padding,
                              dilation, ceil_mode, workers)


@docfiller
def max_pool3d_backward(grad_output: ArrayLike, input: ArrayLike, kernel_size: IntOrSeq,
                        stride: IntOrSeq | None = None, padding: IntOrSeq = 0,
                        dilation: IntOrSeq = 1, ceil_mode: bool = False, *,
                        workers: Workers = None) -> FloatArray:
    """Gradient of :func:`max_pool3d` with respect to its input.

    Every ``grad_output`` element is added to the input position of its
    window's argmax (the index :func:`max_pool3d` returns), accumulating
    where windows overlap; equals torch's autograd result.

    Parameters
    ----------
    grad_output : array_like
        float32 or float64, the shape of the pooled output.
    input : array_like
        The pooling's input, ``(N, C, D, H, W)`` or ``(C, D, H, W)`` (its
        argmax positions are recomputed).
    kernel_size, stride, padding, dilation, ceil_mode
        The pooling's parameters (stride None: the kernel size).
    %(workers)s

    Returns
    -------
    grad_input : ndarray
        The shape of ``input``, the dtype of ``grad_output``.

    See Also
    --------
    max_pool3d, avg_pool3d_backward

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.arange(8.0).reshape(1, 2, 2, 2)
    >>> nn.max_pool3d_backward(np.full((1, 1, 1, 1), 3.0), x, 2)[0, 1]
    array([[0., 0.],
           [0., 3.]])
    """
    return _max_pool_backward(3, grad_output, input, kernel_size, stride, padding,
                              dilation, ceil_mode, workers)


@docfiller
def avg_pool1d_backward(grad_output: ArrayLike, input_shape: Sequence[int],
                        kernel_size: IntOrSeq, stride: IntOrSeq | None = None,
                        padding: IntOrSeq = 0, ceil_mode: bool = False,
                        count_include_pad: bool = True, *,
                        workers: Workers = None) -> FloatArray:
    """Gradient of :func:`avg_pool1d` with respect to its input.

    Every ``grad_output`` element divided by its window's divisor is added
    to each valid input position of the window (the adjoint of the
    pooling).

    Parameters
    ----------
    grad_output : array_like
        float32 or float64, the shape of the pooled output.
    input_shape : sequence of int
        The pooling input's shape ``(N, C, L)`` or ``(C, L)``.
    kernel_size, stride, padding, ceil_mode, count_include_pad
        The pooling's parameters (stride None: the kernel size).
    %(workers)s

    Returns
    -------
    grad_input : ndarray
        Of shape ``input_shape``, the dtype of ``grad_output``.

    See Also
    --------
    avg_pool1d, max_pool1d_backward

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> nn.avg_pool1d_backward(np.ones((1, 2)), (1, 4), 2)
    array([[0.5, 0.5, 0.5, 0.5]])
    """
    return _avg_pool_backward(1, grad_output, input_shape, kernel_size, stride, padding,
                              ceil_mode, count_include_pad, None, workers)


@docfiller
def avg_pool2d_backward(grad_output: ArrayLike, input_shape: Sequence[int],
                        kernel_size: IntOrSeq, stride: IntOrSeq | None = None,
                        padding: IntOrSeq = 0, ceil_mode: bool = False,
                        count_include_pad: bool = True, divisor_override: int | None = None, *,
                        workers: Workers = None) -> FloatArray:
    """Gradient of :func:`avg_pool2d` with respect to its input.

    Every ``grad_output`` element divided by its window's divisor is added
    to each valid input position of the window (the adjoint of the
    pooling).

    Parameters
    ----------
    grad_output : array_like
        float32 or float64, the shape of the pooled output.
    input_shape : sequence of int
        The pooling input's shape ``(N, C, H, W)`` or ``(C, H, W)``.
    kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
        The pooling's parameters (stride None: the kernel size).
    %(workers)s

    Returns
    -------
    grad_input : ndarray
        Of shape ``input_shape``, the dtype of ``grad_output``.

    See Also
    --------
    avg_pool2d, max_pool2d_backward

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> nn.avg_pool2d_backward(np.ones((1, 1, 1)), (1, 2, 2), 2)[0]
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """
    return _avg_pool_backward(2, grad_output, input_shape, kernel_size, stride, padding,
                              ceil_mode, count_include_pad, divisor_override, workers)


@docfiller
def avg_pool3d_backward(grad_output: ArrayLike, input_shape: Sequence[int],
                        kernel_size: IntOrSeq, stride: IntOrSeq | None = None,
                        padding: IntOrSeq = 0, ceil_mode: bool = False,
                        count_include_pad: bool = True, divisor_override: int | None = None, *,
                        workers: Workers = None) -> FloatArray:
    """Gradient of :func:`avg_pool3d` with respect to its input.

    Every ``grad_output`` element divided by its window's divisor is added
    to each valid input position of the window (the adjoint of the
    pooling).

    Parameters
    ----------
    grad_output : array_like
        float32 or float64, the shape of the pooled output.
    input_shape : sequence of int
        The pooling input's shape ``(N, C, D, H, W)`` or ``(C, D, H, W)``.
    kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
        The pooling's parameters (stride None: the kernel size).
    %(workers)s

    Returns
    -------
    grad_input : ndarray
        Of shape ``input_shape``, the dtype of ``grad_output``.

    See Also
    --------
    avg_pool3d, max_pool3d_backward

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> nn.avg_pool3d_backward(np.ones((1, 1, 1, 1)), (1, 2, 2, 2), 2,
    ...                        divisor_override=1)[0, 0]
    array([[1., 1.],
           [1., 1.]])
    """
    return _avg_pool_backward(3, grad_output, input_shape, kernel_size, stride, padding,
                              ceil_mode, count_include_pad, divisor_override, workers)
