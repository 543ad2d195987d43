"""CNN-style convolution layers (torch.nn.functional semantics) on numpy arrays.

Public functions are re-exported by :mod:`pyfilter.nn`.  Every compute
function validates, allocates its C-contiguous output and calls the
channel op (``pyfilter/_ops/channel.py``, which runs the engine
``pyfilter/_cext/channel.pxi``).  The rest is plain numpy: batch-norm
folding, ``relu``, ``channel_shuffle``'s copy and the bias-gradient sum.

Threads: OpenMP threads (``workers``) each run single-threaded BLAS on
their own im2col tiles; while a GEMM-based call runs, the BLAS pools are
capped to one thread (pyfilter/_common/blas.py), so BLAS threads and OpenMP
threads never compete for the cores.
"""
from __future__ import annotations

import math
import typing
from collections.abc import Iterable, Sequence
from typing import Any, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._common import validate as V
from .._common.docs import docfiller
from .._common.shapes import conv_output_length, conv_transpose_output_length
from .._common.errors import ArgumentError
from .._common.typing import FloatArray, IntOrSeq, Padding, PaddingMode, Workers
from .._ops import channel as CH
from . import _args as A

__all__ = [
    "conv1d", "conv2d", "conv3d",
    "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "depthwise_separable_conv2d", "channel_shuffle", "unfold", "fold",
    "relu", "fuse_conv_bn",
    "conv1d_input", "conv2d_input", "conv3d_input",
    "conv1d_weight", "conv2d_weight", "conv3d_weight", "conv_bias_grad",
    "conv_output_shape", "conv_transpose_output_shape", "conv_params",
    "conv_flops", "receptive_field", "ConvCost",
]

#: one layer of receptive_field: k, (k,), (k, s) or (k, s, d), each an int or
#: one int per axis
Layer = Union[IntOrSeq, Sequence[IntOrSeq]]

# ---------------------------------------------------------------- geometry
def _check_input(input: ArrayLike, nsp: int,
                 name: str = "input") -> tuple[FloatArray, bool]:
    x = A.nn_array(input, name)
    if x.ndim == nsp + 1:
        return x[None], False
    if x.ndim == nsp + 2:
        return x, True
    raise ArgumentError(f"{name} must have shape (N, C, {_spatial_names(nsp)}) or unbatched "
                        f"(C, {_spatial_names(nsp)}) for a {nsp}-D convolution, got an array "
                        f"of shape {x.shape}")


def _spatial_names(nsp: int) -> str:
    return ", ".join(["D", "H", "W"][3 - nsp:])


def _check_weight(weight: ArrayLike, nsp: int, x: NDArray[Any],
                  name: str = "weight") -> FloatArray:
    w = A.nn_array(weight, name, like=x)
    if w.ndim != nsp + 2:
        raise ArgumentError(f"{name} must have {nsp + 2} dimensions (C_out, C_in / groups, "
                            f"{'k, ' * nsp}) for a {nsp}-D convolution, got shape {w.shape}")
    if any(k < 1 for k in w.shape[2:]):
        raise ArgumentError(f"{name} has an empty kernel (shape {w.shape})")
    return w


def _check_bias(bias: ArrayLike | None, c_out: int, x: NDArray[Any],
                name: str = "bias") -> FloatArray | None:
    if bias is None:
        return None
    b = A.nn_array(bias, name, like=x)
    if b.shape != (c_out,):
        raise ArgumentError(f"{name} must have shape ({c_out},) (one value per output "
                            f"channel), got shape {b.shape}")
    return np.ascontiguousarray(b)


def _output_lengths(spatial: Sequence[int], kernel: Sequence[int], stride: Sequence[int],
                    pads: Sequence[tuple[int, int]], dilation: Sequence[int],
                    what: str = "input") -> list[int]:
    out = []
    for n, k, s, (pl, pr), d in zip(spatial, kernel, stride, pads, dilation):
        L = conv_output_length(n, k, s, (pl, pr), d)
        if L <= 0:
            raise ArgumentError(
                f"{what} spatial size {tuple(spatial)} (padded by {tuple(pads)}) is too small "
                f"for the kernel {tuple(kernel)} with dilation {tuple(dilation)}: the dilated "
                f"kernel spans {d * (k - 1) + 1} > {n + pl + pr} along one axis, so the output "
                "would be empty")
        out.append(L)
    return out


def _check_torch_pad_limits(torch_name: str | None, spatial: Sequence[int],
                            pads: Sequence[tuple[int, int]], name: str = "padding") -> None:
    """torch's extra limits for its 'reflect' and 'circular' padding."""
    for n, (pl, pr) in zip(spatial, pads):
        p = max(pl, pr)
        if torch_name == "reflect" and p >= n:
            raise ArgumentError(f"{name}: padding_mode='reflect' needs padding smaller than the "
                                f"input size; got padding {p} for an axis of size {n}")
        if torch_name == "circular" and p > n:
            raise ArgumentError(f"{name}: padding_mode='circular' needs padding at most the "
                                f"input size; got padding {p} for an axis of size {n}")


def _conv_forward(nsp: int, input: ArrayLike, weight: ArrayLike, bias: ArrayLike | None,
                  stride: IntOrSeq, padding: Padding, dilation: IntOrSeq, groups: int,
                  padding_mode: PaddingMode, workers: Workers) -> FloatArray:
    x, batched = _check_input(input, nsp)
    w = _check_weight(weight, nsp, x)
    N, C = x.shape[:2]
    cout = w.shape[0]
    groups = A.nn_groups(groups, C, cout)
    if w.shape[1] * groups != C:
        raise ArgumentError(f"weight has shape {w.shape}: expected {C // groups} input channels "
                            f"per group (C_in={C} / groups={groups}) in weight.shape[1], got "
                            f"{w.shape[1]}")
    b = _check_bias(bias, cout, x)
    kernel = list(w.shape[2:])
    stride = V.int_sequence(stride, nsp, "stride", minimum=1)
    dilation = V.int_sequence(dilation, nsp, "dilation", minimum=1)
    pads = A.nn_padding(padding, kernel, dilation, stride)
    code, torch_name = A.nn_padding_mode(padding_mode)
    spatial = list(x.shape[2:])
    if torch_name in ("reflect", "circular"):
        _check_torch_pad_limits(torch_name, spatial, pads)
    osp = _output_lengths(spatial, kernel, stride, pads, dilation)
    out = V.new_array((N, cout) + tuple(osp), x.dtype,
                      f"stride={stride!r}, padding={padding!r}, dilation={dilation!r}")
    CH.conv(x, w, b, out, stride, pads, dilation, groups, code, workers)
    return out if batched else out[0]


def _conv_transpose(nsp: int, input: ArrayLike, weight: ArrayLike, bias: ArrayLike | None,
                    stride: IntOrSeq, padding: IntOrSeq, output_padding: IntOrSeq,
                    groups: int, dilation: IntOrSeq, workers: Workers) -> FloatArray:
    x, batched = _check_input(input, nsp)
    w = _check_weight(weight, nsp, x)
    N, C = x.shape[:2]
    groups = V.as_int(groups, "groups")
    if groups < 1:
        raise ArgumentError(f"groups must be >= 1, got {groups!r}")
    if w.shape[0] != C:
        raise ArgumentError(f"weight has shape {w.shape}: a transposed convolution's weight is "
                            f"(C_in, C_out / groups, {'k, ' * nsp}) and C_in must equal the "
                            f"input's {C} channels")
    if C % groups:
        raise ArgumentError(f"groups={groups} does not divide the {C} input channels")
    cout = w.shape[1] * groups
    b = _check_bias(bias, cout, x)
    kernel = list(w.shape[2:])
    stride = V.int_sequence(stride, nsp, "stride", minimum=1)
    dilation = V.int_sequence(dilation, nsp, "dilation", minimum=1)
    pads = [p for p, _ in A.nn_padding(padding, kernel, dilation, stride, strings=False)]
    opad = A.nn_output_padding(output_padding, stride, dilation)
    spatial = list(x.shape[2:])
    osp = [conv_transpose_output_length(n, k, s, p, d, op)
           for n, k, s, p, d, op in zip(spatial, kernel, stride, pads, dilation, opad)]
    if any(L <= 0 for L in osp):
        raise ArgumentError(f"the transposed convolution's output size would be {tuple(osp)} "
                            f"(input {tuple(spatial)}, kernel {tuple(kernel)}, stride "
                            f"{tuple(stride)}, padding {tuple(pads)}, dilation {tuple(dilation)}): "
                            "it must be positive; reduce the padding")
    out = V.new_array((N, cout) + tuple(osp), x.dtype,
                      f"stride={stride!r}, padding={padding!r}, dilation={dilation!r}")
    CH.conv_transpose(x, w, b, out, stride, pads, dilation, groups, workers)
    return out if batched else out[0]


# ---------------------------------------------------------------- forward layers
@docfiller
def conv1d(input: ArrayLike, weight: ArrayLike, bias: ArrayLike | None = None,
           stride: IntOrSeq = 1, padding: Padding = 0, dilation: IntOrSeq = 1,
           groups: int = 1, *, padding_mode: PaddingMode = "zeros",
           workers: Workers = None) -> FloatArray:
    """1-D convolution over (N, C_in, L) arrays (torch.nn.functional.conv1d).

    Cross-correlation, as in every deep-learning library:
    ``out[n, o, i] = bias[o] + sum_c sum_k weight[o, c, k]
    * x~[n, g C_in/G + c, i * stride + k * dilation - pad_left]`` for
    output channel ``o`` in group ``g`` of ``G``, where ``x~`` is the input
    extended by ``padding_mode``.

    Parameters
    ----------
    input : ndarray
        (N, C_in, L) or unbatched (C_in, L); float32 or float64.
    weight : ndarray
        (C_out, C_in / groups, k) of the same dtype.
    bias : ndarray, optional
        (C_out,) of the same dtype.
    %(conv_stride)s
    %(conv_padding)s
        Output length: ``floor((L + p_left + p_right - d (k - 1) - 1) / s)
        + 1``; an empty output is an error, as in torch.
    %(conv_dilation)s
    %(conv_groups)s
    %(conv_padding_mode)s
    %(workers)s

    Returns
    -------
    out : ndarray
        (N, C_out, L_out) (unbatched input: no N axis), C-contiguous, in
        the input's dtype.

    See Also
    --------
    conv2d, conv_transpose1d, conv_output_shape

    Notes
    -----
    Most convolutions (depthwise, grouped, small and medium channel
    counts) run a register-blocked direct kernel vectorised along the last
    axis; layers with many channels run BLAS GEMMs on cache-sized im2col
    tiles (1x1 convolutions without im2col).  float32 results agree with a
    float64 reference within float32 rounding.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.array([[[1., 2., 3., 4.]]])          # (N=1, C=1, L=4)
    >>> nn.conv1d(x, np.array([[[1., 0., -1.]]]))   # valid: [1-3, 2-4]
    array([[[-2., -2.]]])
    >>> nn.conv1d(x, np.array([[[1., 0., -1.]]]), padding='same', padding_mode='replicate')
    array([[[-1., -2., -2., -1.]]])
    """
    return _conv_forward(1, input, weight, bias, stride, padding, dilation, groups,
                         padding_mode, workers)


@docfiller
def conv2d(input: ArrayLike, weight: ArrayLike, bias: ArrayLike | None = None,
           stride: IntOrSeq = 1, padding: Padding = 0, dilation: IntOrSeq = 1,
           groups: int = 1, *, padding_mode: PaddingMode = "zeros",
           workers: Workers = None) -> FloatArray:
    """2-D convolution over (N, C_in, H, W) arrays (torch.nn.functional.conv2d).

    Cross-correlation, as in every deep-learning library:
    ``out[n, o, i] = bias[o] + sum_c sum_k weight[o, c, k]
    * x~[n, g C_in/G + c, i * stride + k * dilation - pad_left]`` per
    spatial axis (``i``, ``k`` are index pairs) for output channel ``o`` in
    group ``g`` of ``G``, where ``x~`` is the input extended by
    ``padding_mode``.

    Parameters
    ----------
    input : ndarray
        (N, C_in, H, W) or unbatched (C_in, H, W); float32 or float64.
    weight : ndarray
        (C_out, C_in / groups, kH, kW) of the same dtype.
    bias : ndarray, optional
        (C_out,) of the same dtype.
    %(conv_stride)s
    %(conv_padding)s
        Output length per axis: ``floor((n + p_left + p_right - d (k - 1)
        - 1) / s) + 1``; an empty output is an error, as in torch.
    %(conv_dilation)s
    %(conv_groups)s
    %(conv_padding_mode)s
    %(workers)s

    Returns
    -------
    out : ndarray
        (N, C_out, H_out, W_out) (unbatched input: no N axis),
        C-contiguous, in the input's dtype.

    See Also
    --------
    conv1d, conv3d, conv_transpose2d, depthwise_separable_conv2d,
    conv2d_input, conv2d_weight, unfold, pyfilter.filters.correlate

    Notes
    -----
    Most convolutions (depthwise, grouped, small and medium channel
    counts) run a register-blocked direct kernel vectorised along the last
    axis; layers with many channels run BLAS GEMMs on cache-sized im2col
    tiles (1x1 convolutions without im2col).  float32 results agree with a
    float64 reference within float32 rounding.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.zeros((1, 3, 6, 6), np.float32)
    >>> x[:, :, :, :3] = 10                        # a vertical edge in 3 channels
    >>> edge = np.tile(np.array([[1, 0, -1]] * 3, np.float32), (2, 3, 1, 1))
    >>> y = nn.conv2d(x, edge, bias=np.array([0, 1], np.float32))
    >>> y.shape
    (1, 2, 4, 4)
    >>> y[0, 0, 0]
    array([ 0., 90., 90.,  0.], dtype=float32)
    >>> nn.conv2d(x, edge, stride=2, padding=1).shape
    (1, 2, 3, 3)
    """
    return _conv_forward(2, input, weight, bias, stride, padding, dilation, groups,
                         padding_mode, workers)


@docfiller
def conv3d(input: ArrayLike, weight: ArrayLike, bias: ArrayLike | None = None,
           stride: IntOrSeq = 1, padding: Padding = 0, dilation: IntOrSeq = 1,
           groups: int = 1, *, padding_mode: PaddingMode = "zeros",
           workers: Workers = None) -> FloatArray:
    """3-D convolution over (N, C_in, D, H, W) arrays (torch.nn.functional.conv3d).

    Cross-correlation, as in every deep-learning library:
    ``out[n, o, i] = bias[o] + sum_c sum_k weight[o, c, k]
    * x~[n, g C_in/G + c, i * stride + k * dilation - pad_left]`` per
    spatial axis (``i``, ``k`` are index triples) for output channel ``o``
    in group ``g`` of ``G``, where ``x~`` is the input extended by
    ``padding_mode``.

    Parameters
    ----------
    input : ndarray
        (N, C_in, D, H, W) or unbatched (C_in, D, H, W); float32 or
        float64.
    weight : ndarray
        (C_out, C_in / groups, kD, kH, kW) of the same dtype.
    bias : ndarray, optional
        (C_out,) of the same dtype.
    %(conv_stride)s
    %(conv_padding)s
        Output length per axis: ``floor((n + p_left + p_right - d (k - 1)
        - 1) / s) + 1``; an empty output is an error, as in torch.
    %(conv_dilation)s
    %(conv_groups)s
    %(conv_padding_mode)s
    %(workers)s

    Returns
    -------
    out : ndarray
        (N, C_out, D_out, H_out, W_out) (unbatched input: no N axis),
        C-contiguous, in the input's dtype.

    See Also
    --------
    conv2d, conv_transpose3d

    Notes
    -----
    Most convolutions (depthwise, grouped, small and medium channel
    counts) run a register-blocked direct kernel vectorised along the last
    axis; layers with many channels run BLAS GEMMs on cache-sized im2col
    tiles (1x1 convolutions without im2col).  float32 results agree with a
    float64 reference within float32 rounding.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.ones((2, 4, 8, 8, 8))
    >>> w = np.ones((6, 2, 3, 3, 3))
    >>> y = nn.conv3d(x, w, padding=1, groups=2)
    >>> y.shape, float(y[0, 0, 4, 4, 4]), float(y[0, 0, 0, 0, 0])
    ((2, 6, 8, 8, 8), 54.0, 16.0)
    """
    return _conv_forward(3, input, weight, bias, stride, padding, dilation, groups,
                         padding_mode, workers)


@docfiller
def conv_transpose1d(input: ArrayLike, weight: ArrayLike, bias: ArrayLike | None = None,
                     stride: IntOrSeq = 1, padding: IntOrSeq = 0, output_padding: IntOrSeq = 0,
                     groups: int = 1, dilation: IntOrSeq = 1, *,
                     workers: Workers = None) -> FloatArray:
    """1-D transposed convolution (torch.nn.functional.conv_transpose1d).

    The adjoint of :func:`conv1d` with the same weight (the gradient of a
    convolution with respect to its input): each input element scatters
    ``weight[c, o] * x`` over the output with the given stride and
    dilation, then ``padding`` is cropped from each side.  Computed as a
    gather, one stride-1 convolution per output phase (no multiplications
    by inserted zeros).

    Parameters
    ----------
    input : ndarray
        (N, C_in, L) or unbatched (C_in, L); float32 or float64.
    weight : ndarray
        (C_in, C_out / groups, k) (torch's layout for transposed
        convolutions) of the same dtype.
    bias : ndarray, optional
        (C_out,) of the same dtype.
    stride, padding, output_padding, dilation : int or tuple of int, optional
        Output length: ``(L - 1) s - 2 p + d (k - 1) + output_padding + 1``
        (must be positive).  ``output_padding`` adds to one side only and
        must be smaller than ``max(stride, dilation)``; padding must be an
        integer >= 0.  Defaults 1, 0, 0, 1.
    groups : int, optional
        C_in divisible by groups; C_out = groups * weight.shape[1].
        Default 1.
    %(workers)s

    Returns
    -------
    out : ndarray
        (N, C_out, L_out) (unbatched input: no N axis), C-contiguous, in
        the input's dtype.

    See Also
    --------
    conv1d, conv1d_input, conv_transpose_output_shape

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.array([[[1., 2.]]])
    >>> nn.conv_transpose1d(x, np.array([[[1., 10., 100.]]]), stride=2)
    array([[[  1.,  10., 102.,  20., 200.]]])
    """
    return _conv_transpose(1, input, weight, bias, stride, padding, output_padding, groups,
                           dilation, workers)


@docfiller
def conv_transpose2d(input: ArrayLike, weight: ArrayLike, bias: ArrayLike | None = None,
                     stride: IntOrSeq = 1, padding: IntOrSeq = 0, output_padding: IntOrSeq = 0,
                     groups: int = 1, dilation: IntOrSeq = 1, *,
                     workers: Workers = None) -> FloatArray:
    """2-D transposed convolution (torch.nn.functional.conv_transpose2d).

    The adjoint of :func:`conv2d` with the same weight (the gradient of a
    convolution with respect to its input): each input element scatters
    ``weight[c, o] * x`` over the output with the given stride and
    dilation, then ``padding`` is cropped from each side.  Computed as a
    gather, one stride-1 convolution per output phase (no multiplications
    by inserted zeros).

    Parameters
    ----------
    input : ndarray
        (N, C_in, H, W) or unbatched (C_in, H, W); float32 or float64.
    weight : ndarray
        (C_in, C_out / groups, kH, kW) (torch's layout for transposed
        convolutions) of the same dtype.
    bias : ndarray, optional
        (C_out,) of the same dtype.
    stride, padding, output_padding, dilation : int or tuple of int, optional
        Output length per axis:
        ``(n - 1) s - 2 p + d (k - 1) + output_padding + 1`` (must be
        positive).  ``output_padding`` adds to one side only and must be
        smaller than ``max(stride, dilation)``; padding must be an integer
        >= 0.  Defaults 1, 0, 0, 1.
    groups : int, optional
        C_in divisible by groups; C_out = groups * weight.shape[1].
        Default 1.
    %(workers)s

    Returns
    -------
    out : ndarray
        (N, C_out, H_out, W_out) (unbatched input: no N axis),
        C-contiguous, in the input's dtype.

    See Also
    --------
    conv2d, conv2d_input, conv_transpose_output_shape

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.ones((1, 64, 16, 16), np.float32)
    >>> w = np.ones((64, 32, 4, 4), np.float32)
    >>> nn.conv_transpose2d(x, w, stride=2, padding=1).shape    # 2x upsampling
    (1, 32, 32, 32)
    >>> nn.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1).shape
    (1, 32, 33, 33)
    """
    return _conv_transpose(2, input, weight, bias, stride, padding, output_padding, groups,
                           dilation, workers)


@docfiller
def conv_transpose3d(input: ArrayLike, weight: ArrayLike, bias: ArrayLike | None = None,
                     stride: IntOrSeq = 1, padding: IntOrSeq = 0, output_padding: IntOrSeq = 0,
                     groups: int = 1, dilation: IntOrSeq = 1, *,
                     workers: Workers = None) -> FloatArray:
    """3-D transposed convolution (torch.nn.functional.conv_transpose3d).

    The adjoint of :func:`conv3d` with the same weight (the gradient of a
    convolution with respect to its input): each input element scatters
    ``weight[c, o] * x`` over the output with the given stride and
    dilation, then ``padding`` is cropped from each side.  Computed as a
    gather, one stride-1 convolution per output phase (no multiplications
    by inserted zeros).

    Parameters
    ----------
    input : ndarray
        (N, C_in, D, H, W) or unbatched (C_in, D, H, W); float32 or
        float64.
    weight : ndarray
        (C_in, C_out / groups, kD, kH, kW) (torch's layout for transposed
        convolutions) of the same dtype.
    bias : ndarray, optional
        (C_out,) of the same dtype.
    stride, padding, output_padding, dilation : int or tuple of int, optional
        Output length per axis:
        ``(n - 1) s - 2 p + d (k - 1) + output_padding + 1`` (must be
        positive).  ``output_padding`` adds to one side only and must be
        smaller than ``max(stride, dilation)``; padding must be an integer
        >= 0.  Defaults 1, 0, 0, 1.
    groups : int, optional
        C_in divisible by groups; C_out = groups * weight.shape[1].
        Default 1.
    %(workers)s

    Returns
    -------
    out : ndarray
        (N, C_out, D_out, H_out, W_out) (unbatched input: no N axis),
        C-contiguous, in the input's dtype.

    See Also
    --------
    conv3d, conv3d_input, conv_transpose_output_shape

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> nn.conv_transpose3d(np.ones((1, 2, 4, 4, 4)), np.ones((2, 3, 2, 2, 2)),
    ...                     stride=2).shape
    (1, 3, 8, 8, 8)
    """
    return _conv_transpose(3, input, weight, bias, stride, padding, output_padding, groups,
                           dilation, workers)


@docfiller
def depthwise_separable_conv2d(input: ArrayLike, depthwise_weight: ArrayLike,
                               pointwise_weight: ArrayLike,
                               depthwise_bias: ArrayLike | None = None,
                               pointwise_bias: ArrayLike | None = None, stride: IntOrSeq = 1,
                               padding: Padding = 0, dilation: IntOrSeq = 1, *,
                               padding_mode: PaddingMode = "zeros",
                               workers: Workers = None) -> FloatArray:
    """Depthwise convolution followed by a 1x1 (pointwise) convolution.

    Equals ``conv2d(conv2d(x, depthwise_weight, depthwise_bias, stride,
    padding, dilation, groups=C_in), pointwise_weight, pointwise_bias)``
    (MobileNet's block without the normalisation and activation), computed
    band by band: each thread convolves a band of rows of every channel
    into its own cache-sized tile and applies the pointwise convolution to
    it, so the depthwise output is never materialised.

    Parameters
    ----------
    input : ndarray
        (N, C_in, H, W) or (C_in, H, W); float32 or float64.
    depthwise_weight : ndarray
        (C_in * M, 1, kH, kW): M filters per input channel (channel
        multiplier M).
    pointwise_weight : ndarray
        (C_out, C_in * M, 1, 1) (or (C_out, C_in * M)).
    depthwise_bias, pointwise_bias : ndarray, optional
        (C_in * M,) and (C_out,).
    stride, padding, dilation, padding_mode :
        Of the depthwise convolution, as in :func:`conv2d` (defaults 1, 0,
        1, 'zeros').
    %(workers)s

    Returns
    -------
    out : ndarray
        (N, C_out, H_out, W_out) (unbatched input: no N axis), in the
        input's dtype.

    See Also
    --------
    conv2d, channel_shuffle

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.ones((1, 3, 8, 8), np.float32)
    >>> dw = np.ones((3, 1, 3, 3), np.float32)
    >>> pw = np.ones((16, 3, 1, 1), np.float32)
    >>> y = nn.depthwise_separable_conv2d(x, dw, pw, padding=1)
    >>> y.shape, float(y[0, 0, 4, 4]), float(y[0, 0, 0, 0])
    ((1, 16, 8, 8), 27.0, 12.0)
    """
    x, batched = _check_input(input, 2)
    N, C = x.shape[:2]
    wd = _check_weight(depthwise_weight, 2, x, "depthwise_weight")
    if wd.shape[1] != 1 or wd.shape[0] % C:
        raise ArgumentError(f"depthwise_weight must have shape (C_in * M, 1, kH, kW) with "
                            f"C_in={C}, got shape {wd.shape}")
    mult = wd.shape[0] // C
    wp = A.nn_array(pointwise_weight, "pointwise_weight", like=x)
    if wp.ndim == 4 and wp.shape[2:] == (1, 1):
        wp = wp.reshape(wp.shape[:2])
    if wp.ndim != 2 or wp.shape[1] != C * mult:
        raise ArgumentError(f"pointwise_weight must have shape (C_out, {C * mult}, 1, 1), "
                            f"got shape {np.shape(pointwise_weight)}")
    cout = wp.shape[0]
    bd = _check_bias(depthwise_bias, C * mult, x, "depthwise_bias")
    bp = _check_bias(pointwise_bias, cout, x, "pointwise_bias")
    kernel = list(wd.shape[2:])
    stride = V.int_sequence(stride, 2, "stride", minimum=1)
    dilation = V.int_sequence(dilation, 2, "dilation", minimum=1)
    pads = A.nn_padding(padding, kernel, dilation, stride)
    code, torch_name = A.nn_padding_mode(padding_mode)
    spatial = list(x.shape[2:])
    if torch_name in ("reflect", "circular"):
        _check_torch_pad_limits(torch_name, spatial, pads)
    osp = _output_lengths(spatial, kernel, stride, pads, dilation)
    out = V.new_array((N, cout) + tuple(osp), x.dtype,
                      f"stride={stride!r}, padding={padding!r}, dilation={dilation!r}")
    CH.depthwise_separable(x, wd, wp, bd, bp, out, mult, stride, pads, dilation, code,
                           workers)
    return out if batched else out[0]


def channel_shuffle(input: ArrayLike, groups: int) -> NDArray[Any]:
    """Interleave the channels of ``groups`` groups (ShuffleNet).

    ``out[:, k] = input[:, (k % groups) * (C // groups) + k // groups]``:
    torch's ``view(N, g, C/g, *).transpose(1, 2)``.

    Parameters
    ----------
    input : array_like
        (N, C, *) with at least three dimensions and C divisible by
        ``groups`` (any dtype).
    groups : int
        Number of channel groups (>= 1).

    Returns
    -------
    out : ndarray
        A new C-contiguous array of the shape and dtype of ``input``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> nn.channel_shuffle(np.arange(6).reshape(1, 6, 1), 2)[0, :, 0]
    array([0, 3, 1, 4, 2, 5])
    """
    x = np.asarray(input)
    if x.ndim < 3:
        raise ArgumentError(f"input must have shape (N, C, *) with at least 3 dimensions, "
                            f"got shape {x.shape}")
    g = V.as_int(groups, "groups")
    if g < 1:
        raise ArgumentError(f"groups must be >= 1, got {groups!r}")
    N, C = x.shape[:2]
    if C % g:
        raise ArgumentError(f"groups={g} does not divide the {C} channels of input")
    y = x.reshape((N, g, C // g) + x.shape[2:]).swapaxes(1, 2)
    return np.ascontiguousarray(y).reshape(x.shape)


def _fold_geometry(kernel_size: IntOrSeq, dilation: IntOrSeq, padding: IntOrSeq,
                   stride: IntOrSeq) -> tuple[list[int], list[int], list[int], list[int]]:
    k = V.int_sequence(kernel_size, 2, "kernel_size", minimum=1)
    d = V.int_sequence(dilation, 2, "dilation", minimum=1)
    s = V.int_sequence(stride, 2, "stride", minimum=1)
    p = [lo for lo, _ in A.nn_padding(padding, k, d, s, strings=False)]
    return k, d, p, s


@docfiller
def unfold(input: ArrayLike, kernel_size: IntOrSeq, dilation: IntOrSeq = 1,
           padding: IntOrSeq = 0, stride: IntOrSeq = 1, *,
           workers: Workers = None) -> FloatArray:
    """Extract sliding blocks (im2col), as torch.nn.functional.unfold.

    Parameters
    ----------
    input : ndarray
        (N, C, H, W) or (C, H, W); float32 or float64.
    kernel_size, dilation, padding, stride : int or pair of int
        The block size (>= 1), the spacing of its taps (>= 1, default 1),
        the zero padding on both sides of each axis (>= 0, default 0) and
        the step between blocks (>= 1, default 1).
    %(workers)s

    Returns
    -------
    cols : ndarray
        (N, C * kH * kW, L) (unbatched input: no N axis), rows ordered
        (c, i, j) with c slowest, columns the L block positions in
        row-major order; so that
        ``conv2d(x, w) == (w.reshape(C_out, -1) @ unfold(x, k)).reshape(...)``.

    See Also
    --------
    fold, conv2d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.arange(9.).reshape(1, 1, 3, 3)
    >>> nn.unfold(x, 2)
    array([[[0., 1., 3., 4.],
            [1., 2., 4., 5.],
            [3., 4., 6., 7.],
            [4., 5., 7., 8.]]])
    """
    x, batched = _check_input(input, 2)
    k, d, p, s = _fold_geometry(kernel_size, dilation, padding, stride)
    N, C = x.shape[:2]
    osp = _output_lengths(x.shape[2:], k, s, [(q, q) for q in p], d)
    L = osp[0] * osp[1]
    cols = V.new_array((N, C * k[0] * k[1], L), x.dtype,
                       f"kernel_size={kernel_size!r}, stride={stride!r}, padding={padding!r}")
    CH.unfold(x, cols, osp, k, d, p, s, workers)
    return cols if batched else cols[0]


@docfiller
def fold(input: ArrayLike, output_size: IntOrSeq, kernel_size: IntOrSeq,
         dilation: IntOrSeq = 1, padding: IntOrSeq = 0, stride: IntOrSeq = 1, *,
         workers: Workers = None) -> FloatArray:
    """Sum sliding blocks back into an image (col2im), as torch.nn.functional.fold.

    The adjoint of :func:`unfold`: overlapping entries are added, entries in
    the padding are dropped; ``fold(unfold(x)) == x * fold(unfold(ones))``.

    Parameters
    ----------
    input : ndarray
        (N, C * kH * kW, L) or (C * kH * kW, L), L the number of blocks.
    output_size : int or pair of int
        (H, W) of the image.
    kernel_size, dilation, padding, stride : int or pair of int
        As in :func:`unfold`.
    %(workers)s

    Returns
    -------
    out : ndarray
        (N, C, H, W) (unbatched input: no N axis), in the input's dtype.

    See Also
    --------
    unfold, conv_transpose2d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> nn.fold(np.ones((1, 4, 4)), (3, 3), 2)[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    c = A.nn_array(input, "input")
    if c.ndim == 2:
        c, batched = c[None], False
    elif c.ndim == 3:
        batched = True
    else:
        raise ArgumentError(f"input must have shape (N, C * kH * kW, L) or (C * kH * kW, L), "
                            f"got shape {c.shape}")
    k, d, p, s = _fold_geometry(kernel_size, dilation, padding, stride)
    size = V.int_sequence(output_size, 2, "output_size", minimum=1)
    kk = k[0] * k[1]
    if c.shape[1] % kk:
        raise ArgumentError(f"input.shape[1]={c.shape[1]} must be divisible by the kernel "
                            f"size {k[0]} x {k[1]} = {kk}")
    osp = _output_lengths(size, k, s, [(q, q) for q in p], d, what="output_size")
    if c.shape[2] != osp[0] * osp[1]:
        raise ArgumentError(f"input has {c.shape[2]} blocks (input.shape[-1]) but output_size="
                            f"{tuple(size)} with kernel_size={tuple(k)}, dilation={tuple(d)}, "
                            f"padding={tuple(p)}, stride={tuple(s)} gives {osp[0]} x {osp[1]} = "
                            f"{osp[0] * osp[1]}")
    N, C = c.shape[0], c.shape[1] // kk
    out = V.new_array((N, C) + tuple(size), c.dtype, f"output_size={output_size!r}")
    CH.fold(c, out, osp, k, d, p, s, workers)
    return out if batched else out[0]


def relu(x: ArrayLike) -> FloatArray:
    """Rectified linear unit ``max(x, 0)`` (NaN propagates, as torch.relu).

    Parameters
    ----------
    x : array_like
        float32 or float64 (any shape).

    Returns
    -------
    out : ndarray
        A new array of the same shape and dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> nn.relu(np.array([-1.5, 0.0, 2.0]))
    array([0., 0., 2.])
    """
    a = A.nn_array(x, "x")
    return np.maximum(a, a.dtype.type(0))


def fuse_conv_bn(weight: ArrayLike, bias: ArrayLike | None, running_mean: ArrayLike,
                 running_var: ArrayLike, gamma: ArrayLike | None, beta: ArrayLike | None,
                 eps: float = 1e-5) -> tuple[FloatArray, FloatArray]:
    """Fold an inference-time batch normalisation into the preceding convolution.

    ``bn(conv(x, w, b)) == conv(x, w', b')`` with
    ``scale = gamma / sqrt(running_var + eps)``,
    ``w' = w * scale[:, None, ...]`` and ``b' = (b - running_mean) * scale + beta``.

    Parameters
    ----------
    weight : ndarray
        (C_out, C_in / groups, *k), float32 or float64.
    bias : ndarray or None
        (C_out,) (None: no bias, i.e. zeros).
    running_mean, running_var : ndarray
        (C_out,) batch-norm statistics; ``running_var + eps`` must be > 0.
    gamma, beta : ndarray or None
        (C_out,) affine parameters (None: 1 and 0, as ``affine=False``).
    eps : float, optional
        Added to ``running_var`` (torch's default 1e-5).

    Returns
    -------
    weight, bias : ndarray
        The fused weight and bias, in the weight's dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> w, b = nn.fuse_conv_bn(np.ones((2, 1, 1, 1)), None, np.array([1., 2.]),
    ...                        np.array([4., 1.]), np.array([2., 1.]), np.array([0., 5.]),
    ...                        eps=0.0)
    >>> w[:, 0, 0, 0], b
    (array([1., 1.]), array([-1.,  3.]))
    """
    w = A.nn_array(weight, "weight")
    if w.ndim < 2:
        raise ArgumentError(f"weight must have shape (C_out, C_in / groups, *k), got {w.shape}")
    cout = w.shape[0]

    def vec(v: ArrayLike | None, name: str, default: float) -> FloatArray:
        if v is None:
            return np.full(cout, default, dtype=w.dtype)
        a = A.nn_array(v, name, like=w)
        if a.shape != (cout,):
            raise ArgumentError(f"{name} must have shape ({cout},), got shape {a.shape}")
        return a

    b = vec(bias, "bias", 0)
    mean = vec(running_mean, "running_mean", 0)
    var = vec(running_var, "running_var", 1)
    g = vec(gamma, "gamma", 1)
    be = vec(beta, "beta", 0)
    eps = V.float_sequence(eps, 1, "eps")[0]
    denom = var + w.dtype.type(eps)
    if not np.all(denom > 0):
        raise ArgumentError(f"running_var + eps must be positive, got {denom!r}")
    scale = g / np.sqrt(denom)
    wf = w * scale.reshape((cout,) + (1,) * (w.ndim - 1))
    bf = (b - mean) * scale + be
    return wf.astype(w.dtype, copy=False), bf.astype(w.dtype, copy=False)


# ---------------------------------------------------------------- backward
def _grad_setup(nsp: int, shape_name: str, shape: Any, grad_output: ArrayLike,
                ref: NDArray[Any] | None, stride: IntOrSeq, padding: Padding,
                dilation: IntOrSeq
                ) -> tuple[FloatArray, bool, tuple[int, ...], list[int], list[int]]:
    gout, batched = _check_input(grad_output, nsp, "grad_output")
    if ref is not None:
        gout = A.nn_array(gout, "grad_output", like=ref)
    shape = tuple(V.int_sequence(shape, len(shape) if np.ndim(shape) else 1, shape_name,
                                 minimum=0))
    if len(shape) != nsp + 2:
        raise ArgumentError(f"{shape_name} must be the full shape (N, C, {_spatial_names(nsp)}) "
                            f"(or (C_out, C_in / groups, {'k, ' * nsp}) for a weight), got "
                            f"{shape}")
    stride = V.int_sequence(stride, nsp, "stride", minimum=1)
    dilation = V.int_sequence(dilation, nsp, "dilation", minimum=1)
    return gout, batched, shape, stride, dilation


def _check_grad_shape(gout: NDArray[Any], n: int, cout: int, osp: Sequence[int]) -> None:
    expect = (n, cout) + tuple(osp)
    if gout.shape != expect:
        raise ArgumentError(f"grad_output has shape {gout.shape}, but the convolution's output "
                            f"has shape {expect}")


def _conv_input(nsp: int, input_size: Sequence[int], weight: ArrayLike,
                grad_output: ArrayLike, stride: IntOrSeq, padding: Padding,
                dilation: IntOrSeq, groups: int, workers: Workers) -> FloatArray:
    gout, batched, size, stride, dilation = _grad_setup(
        nsp, "input_size", input_size if np.ndim(input_size) else [input_size],
        grad_output, None, stride, padding, dilation)
    w = _check_weight(weight, nsp, gout)
    N, C = size[:2]
    cout = w.shape[0]
    groups = A.nn_groups(groups, C, cout)
    if w.shape[1] * groups != C:
        raise ArgumentError(f"weight has shape {w.shape}: expected {C // groups} input channels "
                            f"per group (C_in={C} / groups={groups})")
    kernel = list(w.shape[2:])
    pads = A.nn_padding(padding, kernel, dilation, stride)
    osp = _output_lengths(size[2:], kernel, stride, pads, dilation, "input_size")
    _check_grad_shape(gout, N, cout, osp)
    out = V.new_array(size, gout.dtype, f"input_size={input_size!r}")
    CH.conv_transpose(gout, w, None, out, stride, [p for p, _ in pads], dilation, groups,
                      workers)
    return out


def _conv_weight(nsp: int, input: ArrayLike, weight_size: Sequence[int],
                 grad_output: ArrayLike, stride: IntOrSeq, padding: Padding,
                 dilation: IntOrSeq, groups: int, padding_mode: PaddingMode,
                 workers: Workers) -> FloatArray:
    x, batched = _check_input(input, nsp)
    gout, gb, wsize, stride, dilation = _grad_setup(
        nsp, "weight_size", weight_size, grad_output, x, stride, padding, dilation)
    if gb != batched:
        raise ArgumentError(f"input (shape {x.shape if batched else x.shape[1:]}) and "
                            f"grad_output (shape {gout.shape if gb else gout.shape[1:]}) must "
                            "both be batched or both unbatched")
    N, C = x.shape[:2]
    cout, cin_g = wsize[:2]
    kernel = list(wsize[2:])
    if any(k < 1 for k in kernel):
        raise ArgumentError(f"weight_size has an empty kernel: {wsize}")
    groups = A.nn_groups(groups, C, cout)
    if cin_g * groups != C:
        raise ArgumentError(f"weight_size={wsize}: expected {C // groups} input channels per "
                            f"group (C_in={C} / groups={groups}) in weight_size[1]")
    pads = A.nn_padding(padding, kernel, dilation, stride)
    code, torch_name = A.nn_padding_mode(padding_mode)
    spatial = list(x.shape[2:])
    if torch_name in ("reflect", "circular"):
        _check_torch_pad_limits(torch_name, spatial, pads)
    osp = _output_lengths(spatial, kernel, stride, pads, dilation)
    _check_grad_shape(gout, N, cout, osp)
    dw = np.empty(wsize, dtype=x.dtype)
    CH.weight_grad(x, gout, dw, stride, pads, dilation, groups, code, workers)
    return dw


@docfiller
def conv1d_input(input_size: Sequence[int], weight: ArrayLike, grad_output: ArrayLike,
                 stride: IntOrSeq = 1, padding: Padding = 0, dilation: IntOrSeq = 1,
                 groups: int = 1, *, workers: Workers = None) -> FloatArray:
    """Input gradient of :func:`conv1d` (torch.nn.grad.conv1d_input).

    The same operation as :func:`conv_transpose1d` with the output size
    fixed to ``input_size`` (one shared implementation).

    Parameters
    ----------
    input_size : tuple of int
        Shape of the convolution's input, (N, C_in, L).
    weight : ndarray
        (C_out, C_in / groups, k), float32 or float64.
    grad_output : ndarray
        (N, C_out, L_out): the gradient with respect to the output.
    %(conv_grad_params)s
    %(workers)s

    Returns
    -------
    grad_input : ndarray
        (N, C_in, L), the dtype of ``grad_output``.

    See Also
    --------
    conv1d, conv1d_weight, conv_transpose1d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> w = np.ones((1, 1, 2))
    >>> g = np.ones((1, 1, 3))
    >>> nn.conv1d_input((1, 1, 4), w, g).reshape(-1)
    array([1., 2., 2., 1.])
    """
    return _conv_input(1, input_size, weight, grad_output, stride, padding, dilation,
                       groups, workers)


@docfiller
def conv2d_input(input_size: Sequence[int], weight: ArrayLike, grad_output: ArrayLike,
                 stride: IntOrSeq = 1, padding: Padding = 0, dilation: IntOrSeq = 1,
                 groups: int = 1, *, workers: Workers = None) -> FloatArray:
    """Input gradient of :func:`conv2d` (torch.nn.grad.conv2d_input).

    The same operation as :func:`conv_transpose2d` with the output size
    fixed to ``input_size`` (one shared implementation).

    Parameters
    ----------
    input_size : tuple of int
        Shape of the convolution's input, (N, C_in, H, W).
    weight : ndarray
        (C_out, C_in / groups, kH, kW), float32 or float64.
    grad_output : ndarray
        (N, C_out, H_out, W_out): the gradient with respect to the output.
    %(conv_grad_params)s
    %(workers)s

    Returns
    -------
    grad_input : ndarray
        (N, C_in, H, W), the dtype of ``grad_output``.

    See Also
    --------
    conv2d, conv2d_weight, conv_transpose2d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> w = np.ones((1, 1, 2, 2))
    >>> g = np.ones((1, 1, 1, 1))
    >>> nn.conv2d_input((1, 1, 2, 2), w, g).reshape(-1)
    array([1., 1., 1., 1.])
    """
    return _conv_input(2, input_size, weight, grad_output, stride, padding, dilation,
                       groups, workers)


@docfiller
def conv3d_input(input_size: Sequence[int], weight: ArrayLike, grad_output: ArrayLike,
                 stride: IntOrSeq = 1, padding: Padding = 0, dilation: IntOrSeq = 1,
                 groups: int = 1, *, workers: Workers = None) -> FloatArray:
    """Input gradient of :func:`conv3d` (torch.nn.grad.conv3d_input).

    The same operation as :func:`conv_transpose3d` with the output size
    fixed to ``input_size`` (one shared implementation).

    Parameters
    ----------
    input_size : tuple of int
        Shape of the convolution's input, (N, C_in, D, H, W).
    weight : ndarray
        (C_out, C_in / groups, kD, kH, kW), float32 or float64.
    grad_output : ndarray
        (N, C_out, D_out, H_out, W_out): the gradient with respect to the
        output.
    %(conv_grad_params)s
    %(workers)s

    Returns
    -------
    grad_input : ndarray
        (N, C_in, D, H, W), the dtype of ``grad_output``.

    See Also
    --------
    conv3d, conv3d_weight, conv_transpose3d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> w = np.ones((1, 1, 1, 1, 1))
    >>> g = np.ones((1, 1, 2, 2, 2))
    >>> nn.conv3d_input((1, 1, 2, 2, 2), w, g).reshape(-1)
    array([1., 1., 1., 1., 1., 1., 1., 1.])
    """
    return _conv_input(3, input_size, weight, grad_output, stride, padding, dilation,
                       groups, workers)


@docfiller
def conv1d_weight(input: ArrayLike, weight_size: Sequence[int], grad_output: ArrayLike,
                  stride: IntOrSeq = 1, padding: Padding = 0, dilation: IntOrSeq = 1,
                  groups: int = 1, *, padding_mode: PaddingMode = "zeros",
                  workers: Workers = None) -> FloatArray:
    """Weight gradient of :func:`conv1d` (torch.nn.grad.conv1d_weight).

    ``grad_weight[o, c, k] = sum_{n, i} grad_output[n, o, i]
    * x~[n, c', i s + k d - p]`` (``c'`` the input channel ``c`` of
    ``o``'s group), computed with BLAS GEMMs on the same im2col tiles as
    the forward pass; partial sums are formed over a fixed split of the
    work (independent of the thread count), so the result does not depend
    on the number of threads.

    Parameters
    ----------
    input : ndarray
        (N, C_in, L), float32 or float64 (or unbatched, with an unbatched
        ``grad_output``).
    weight_size : tuple of int
        (C_out, C_in / groups, k).
    grad_output : ndarray
        (N, C_out, L_out), the dtype of ``input``.
    %(conv_grad_params)s
    padding_mode : str, optional
        Of the forward convolution (as in :func:`conv1d`; torch.nn.grad
        only has zeros).  Default 'zeros'.
    %(workers)s

    Returns
    -------
    grad_weight : ndarray
        Of shape ``weight_size``, the dtype of ``input``.

    See Also
    --------
    conv1d, conv1d_input, conv_bias_grad

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.arange(4.).reshape(1, 1, 4)
    >>> nn.conv1d_weight(x, (1, 1, 2), np.ones((1, 1, 3))).reshape(-1)
    array([3., 6.])
    """
    return _conv_weight(1, input, weight_size, grad_output, stride, padding, dilation,
                        groups, padding_mode, workers)


@docfiller
def conv2d_weight(input: ArrayLike, weight_size: Sequence[int], grad_output: ArrayLike,
                  stride: IntOrSeq = 1, padding: Padding = 0, dilation: IntOrSeq = 1,
                  groups: int = 1, *, padding_mode: PaddingMode = "zeros",
                  workers: Workers = None) -> FloatArray:
    """Weight gradient of :func:`conv2d` (torch.nn.grad.conv2d_weight).

    ``grad_weight[o, c, k] = sum_{n, i} grad_output[n, o, i]
    * x~[n, c', i s + k d - p]`` per spatial axis (``c'`` the input channel
    ``c`` of ``o``'s group), computed with BLAS GEMMs on the same im2col
    tiles as the forward pass; partial sums are formed over a fixed split
    of the work (independent of the thread count), so the result does not
    depend on the number of threads.

    Parameters
    ----------
    input : ndarray
        (N, C_in, H, W), float32 or float64 (or unbatched, with an
        unbatched ``grad_output``).
    weight_size : tuple of int
        (C_out, C_in / groups, kH, kW).
    grad_output : ndarray
        (N, C_out, H_out, W_out), the dtype of ``input``.
    %(conv_grad_params)s
    padding_mode : str, optional
        Of the forward convolution (as in :func:`conv2d`; torch.nn.grad
        only has zeros).  Default 'zeros'.
    %(workers)s

    Returns
    -------
    grad_weight : ndarray
        Of shape ``weight_size``, the dtype of ``input``.

    See Also
    --------
    conv2d, conv2d_input, conv_bias_grad

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.arange(4.).reshape(1, 1, 2, 2)
    >>> nn.conv2d_weight(x, (1, 1, 2, 2), np.ones((1, 1, 1, 1))).reshape(-1)
    array([0., 1., 2., 3.])
    """
    return _conv_weight(2, input, weight_size, grad_output, stride, padding, dilation,
                        groups, padding_mode, workers)


@docfiller
def conv3d_weight(input: ArrayLike, weight_size: Sequence[int], grad_output: ArrayLike,
                  stride: IntOrSeq = 1, padding: Padding = 0, dilation: IntOrSeq = 1,
                  groups: int = 1, *, padding_mode: PaddingMode = "zeros",
                  workers: Workers = None) -> FloatArray:
    """Weight gradient of :func:`conv3d` (torch.nn.grad.conv3d_weight).

    ``grad_weight[o, c, k] = sum_{n, i} grad_output[n, o, i]
    * x~[n, c', i s + k d - p]`` per spatial axis (``c'`` the input channel
    ``c`` of ``o``'s group), computed with BLAS GEMMs on the same im2col
    tiles as the forward pass; partial sums are formed over a fixed split
    of the work (independent of the thread count), so the result does not
    depend on the number of threads.

    Parameters
    ----------
    input : ndarray
        (N, C_in, D, H, W), float32 or float64 (or unbatched, with an
        unbatched ``grad_output``).
    weight_size : tuple of int
        (C_out, C_in / groups, kD, kH, kW).
    grad_output : ndarray
        (N, C_out, D_out, H_out, W_out), the dtype of ``input``.
    %(conv_grad_params)s
    padding_mode : str, optional
        Of the forward convolution (as in :func:`conv3d`; torch.nn.grad
        only has zeros).  Default 'zeros'.
    %(workers)s

    Returns
    -------
    grad_weight : ndarray
        Of shape ``weight_size``, the dtype of ``input``.

    See Also
    --------
    conv3d, conv3d_input, conv_bias_grad

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> x = np.arange(4.).reshape(1, 1, 1, 2, 2)
    >>> nn.conv3d_weight(x, (1, 1, 1, 1, 1), np.ones((1, 1, 1, 2, 2))).reshape(-1)
    array([6.])
    """
    return _conv_weight(3, input, weight_size, grad_output, stride, padding, dilation,
                        groups, padding_mode, workers)


def conv_bias_grad(grad_output: ArrayLike) -> FloatArray:
    """Gradient of a convolution with respect to its bias.

    The sum of ``grad_output`` over every axis but the channels (axis 1),
    accumulated in float64.

    Parameters
    ----------
    grad_output : ndarray
        (N, C_out, *spatial), float32 or float64: the gradient with
        respect to the convolution's output.

    Returns
    -------
    grad_bias : ndarray
        (C_out,), in the dtype of ``grad_output``.

    See Also
    --------
    conv2d_weight, conv2d_input

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import nn
    >>> nn.conv_bias_grad(np.ones((2, 3, 4, 4), np.float32))
    array([32., 32., 32.], dtype=float32)
    """
    g = A.nn_array(grad_output, "grad_output")
    if g.ndim < 2:
        raise ArgumentError(f"grad_output must have shape (N, C_out, *spatial), got {g.shape}")
    axes = (0,) + tuple(range(2, g.ndim))
    return g.sum(axis=axes, dtype=np.float64).astype(g.dtype)


# ---------------------------------------------------------------- arithmetic
class ConvCost(typing.NamedTuple):
    """Cost of a convolution: multiply-adds and floating-point operations
    (``flops = 2 * macs`` plus one addition per output for the bias)."""

    macs: int
    flops: int


def _shape_tuple(shape: Any, name: str) -> list[int]:
    if np.ndim(shape) == 0:
        shape = [shape]
    return V.int_sequence(shape, len(shape), name, minimum=0)


def conv_output_shape(input_shape: IntOrSeq, kernel_size: IntOrSeq, stride: IntOrSeq = 1,
                      padding: Padding = 0, dilation: IntOrSeq = 1, *,
                      ceil_mode: bool = False) -> tuple[int, ...]:
    """Spatial output shape of a convolution (or pooling) layer.

    ``floor((n + p_left + p_right - d (k - 1) - 1) / s) + 1`` per axis: the
    one formula the layers and pooling share (``ceil_mode`` rounds up but
    drops a last window starting in the right padding, as torch's pooling).

    Parameters
    ----------
    input_shape : int or tuple of int
        Spatial shape (H, W, ...), without batch or channel axes.
    kernel_size, stride, dilation : int or tuple of int
        One value for every axis or one per axis (>= 1; stride and
        dilation default to 1).
    padding : int, tuple of int, 'valid', 'same' or 'full'
        As in :func:`conv2d`.  Default 0.
    ceil_mode : bool, optional
        Round the division up, torch's pooling rule.  Default False.

    Returns
    -------
    shape : tuple of int
        The output's spatial shape.

    Raises
    ------
    ValueError
        When the output would be empty (the dilated kernel does not fit).

    Examples
    --------
    >>> from pyfilter import nn
    >>> nn.conv_output_shape((32, 32), 5, padding=2)     # ten 5x5 filters, pad 2
    (32, 32)
    >>> nn.conv_output_shape((32, 32), 5)                # 32x32x3, six 5x5 filters
    (28, 28)
    >>> nn.conv_output_shape((224, 224), 3, stride=2, padding=1)
    (112, 112)
    """
    spatial = _shape_tuple(input_shape, "input_shape")
    n = len(spatial)
    k = V.int_sequence(kernel_size, n, "kernel_size", minimum=1)
    s = V.int_sequence(stride, n, "stride", minimum=1)
    d = V.int_sequence(dilation, n, "dilation", minimum=1)
    pads = A.nn_padding(padding, k, d, s)
    if ceil_mode:
        out = [conv_output_length(a, b, c, pp, e, ceil_mode=True)
               for a, b, c, pp, e in zip(spatial, k, s, pads, d)]
        if any(L <= 0 for L in out):
            raise ArgumentError(f"output shape {tuple(out)} would be empty")
        return tuple(out)
    return tuple(_output_lengths(spatial, k, s, pads, d))


def conv_transpose_output_shape(input_shape: IntOrSeq, kernel_size: IntOrSeq,
                                stride: IntOrSeq = 1, padding: IntOrSeq = 0,
                                output_padding: IntOrSeq = 0,
                                dilation: IntOrSeq = 1) -> tuple[int, ...]:
    """Spatial output shape of a transposed convolution.

    ``(n - 1) s - 2 p + d (k - 1) + output_padding + 1`` per axis (torch's
    rule; ``output_padding < max(stride, dilation)``).

    Parameters
    ----------
    input_shape : int or tuple of int
        Spatial shape (H, W, ...), without batch or channel axes.
    kernel_size, stride, padding, output_padding, dilation : int or tuple of int
        One value for every axis or one per axis (defaults: stride 1,
        padding 0, output_padding 0, dilation 1).

    Returns
    -------
    shape : tuple of int
        The output's spatial shape.

    Raises
    ------
    ValueError
        When the output would be empty.

    See Also
    --------
    conv_transpose2d, conv_output_shape

    Examples
    --------
    >>> from pyfilter import nn
    >>> nn.conv_transpose_output_shape((16, 16), 4, stride=2, padding=1)
    (32, 32)
    """
    spatial = _shape_tuple(input_shape, "input_shape")
    n = len(spatial)
    k = V.int_sequence(kernel_size, n, "kernel_size", minimum=1)
    s = V.int_sequence(stride, n, "stride", minimum=1)
    d = V.int_sequence(dilation, n, "dilation", minimum=1)
    p = [lo for lo, _ in A.nn_padding(padding, k, d, s, strings=False)]
    op = A.nn_output_padding(output_padding, s, d)
    out = tuple(conv_transpose_output_length(*a) for a in zip(spatial, k, s, p, d, op))
    if any(L <= 0 for L in out):
        raise ArgumentError(f"output shape {out} would be empty; reduce the padding")
    return out


def conv_params(in_channels: int, out_channels: int, kernel_size: IntOrSeq, groups: int = 1,
                bias: bool = True, *, ndim: int = 2) -> int:
    """Number of learnable parameters of a convolution layer.

    ``out_channels * (in_channels / groups) * prod(kernel_size)`` plus
    ``out_channels`` for the bias.

    Parameters
    ----------
    in_channels, out_channels : int
        Channel counts (both divisible by ``groups``).
    kernel_size : int or tuple of int
        An int means a square (cubic...) kernel of ``ndim`` dimensions.
    groups : int, optional
        Default 1.
    bias : bool, optional
        Count the bias.  Default True.
    ndim : int, optional
        Spatial dimensions of an int ``kernel_size``.  Default 2.

    Returns
    -------
    int
        The number of parameters.

    See Also
    --------
    conv_flops

    Examples
    --------
    >>> from pyfilter import nn
    >>> nn.conv_params(3, 10, 5)       # ten 5x5 filters on a 3-channel input
    760
    >>> nn.conv_params(1, 6, (5, 5))   # LeNet-5's C1 (single-channel input)
    156
    >>> nn.conv_params(32, 32, 3, groups=32, bias=False)   # depthwise 3x3
    288
    """
    cin = V.as_int(in_channels, "in_channels")
    cout = V.as_int(out_channels, "out_channels")
    ndim = V.as_int(ndim, "ndim")
    if np.ndim(kernel_size) == 0:
        k = V.int_sequence(kernel_size, ndim, "kernel_size", minimum=1)
    else:
        n = len(typing.cast("Sequence[int]", kernel_size))
        k = V.int_sequence(kernel_size, n, "kernel_size", minimum=1)
    g = A.nn_groups(groups, cin, cout)
    return cout * (cin // g) * math.prod(k) + (cout if bias else 0)


def conv_flops(input_shape: Sequence[int], out_channels: int, kernel_size: IntOrSeq,
               stride: IntOrSeq = 1, padding: Padding = 0, dilation: IntOrSeq = 1,
               groups: int = 1, bias: bool = True) -> ConvCost:
    """Multiply-adds and floating-point operations of a convolution layer.

    ``macs = N * out_channels * prod(output spatial) * (C_in / groups) * prod(k)``;
    ``flops = 2 * macs`` plus one addition per output value with a bias.

    Parameters
    ----------
    input_shape : tuple of int
        (C_in, *spatial), or (N, C_in, *spatial) when ``kernel_size`` is a
        tuple with one entry per spatial axis (an int kernel_size means
        ``input_shape`` has no batch axis).
    out_channels : int
        Output channels.
    kernel_size, stride, padding, dilation, groups :
        As in :func:`pyfilter.nn.conv2d`.
    bias : bool, optional
        Count one addition per output value for the bias.  Default True.

    Returns
    -------
    ConvCost
        Named tuple ``(macs, flops)``.

    Examples
    --------
    >>> from pyfilter import nn
    >>> nn.conv_flops((3, 32, 32), 10, 5, padding=2)
    ConvCost(macs=768000, flops=1546240)
    """
    shape = _shape_tuple(input_shape, "input_shape")
    if np.ndim(kernel_size) == 0:
        nsp = len(shape) - 1
    else:
        nsp = len(typing.cast("Sequence[int]", kernel_size))
    if nsp < 1 or len(shape) not in (nsp + 1, nsp + 2):
        raise ArgumentError(f"input_shape {tuple(shape)} does not match a {nsp}-D kernel "
                            f"{kernel_size!r}: expected (C_in, *spatial) or (N, C_in, *spatial)")
    batch = shape[0] if len(shape) == nsp + 2 else 1
    cin = shape[-nsp - 1]
    spatial = shape[-nsp:]
    cout = V.as_int(out_channels, "out_channels")
    k = V.int_sequence(kernel_size, nsp, "kernel_size", minimum=1)
    g = A.nn_groups(groups, cin, cout)
    osp = conv_output_shape(spatial, k, stride, padding, dilation)
    outputs = batch * cout * math.prod(osp)
    macs = outputs * (cin // g) * math.prod(k)
    return ConvCost(macs, 2 * macs + (outputs if bias else 0))


def receptive_field(layers: Iterable[Layer]) -> int | tuple[int, ...]:
    """Receptive field of a stack of convolution / pooling layers.

    ``RF = 1 + sum_l d_l (k_l - 1) prod_{j < l} s_j``; for a stride-1 stack
    of L layers of kernel K: ``1 + L (K - 1)``.

    Parameters
    ----------
    layers : sequence
        One entry per layer, first layer first: ``k``, ``(k,)``, ``(k, s)``
        or ``(k, s, d)`` (stride and dilation default to 1).  Each of k, s, d
        may be a tuple (one value per axis); the result then is a tuple.

    Returns
    -------
    int or tuple of int

    Examples
    --------
    >>> from pyfilter import nn
    >>> nn.receptive_field([3, 3, 3])              # three 3x3 convolutions
    7
    >>> nn.receptive_field([(7, 2), (3, 2), (3, 1), (3, 1)])
    27
    >>> nn.receptive_field([(3, 1, 1), (3, 1, 2), (3, 1, 4)])   # dilated stack
    15
    """
    try:
        items = list(layers)
    except TypeError:
        raise TypeError(f"layers must be a sequence of (kernel, stride, dilation) entries, "
                        f"got {layers!r}") from None
    parsed = []
    n = None
    for i, layer in enumerate(items):
        parts: list[Any] = list(layer) if isinstance(layer, (tuple, list)) else [layer]
        if not 1 <= len(parts) <= 3:
            raise ArgumentError(f"layers[{i}] must be k, (k,), (k, s) or (k, s, d), got {layer!r}")
        parts += [1] * (3 - len(parts))
        for v in parts:
            if np.ndim(v) == 1:
                if n is not None and len(v) != n:
                    raise ArgumentError(f"layers[{i}] has {len(v)} axes, others have {n}")
                n = len(v)
        parsed.append(parts)
    nax = n or 1
    rf = [1] * nax
    jump = [1] * nax
    for i, (k, s, d) in enumerate(parsed):
        k = V.int_sequence(k, nax, f"layers[{i}] kernel", minimum=1)
        s = V.int_sequence(s, nax, f"layers[{i}] stride", minimum=1)
        d = V.int_sequence(d, nax, f"layers[{i}] dilation", minimum=1)
        for a in range(nax):
            rf[a] += d[a] * (k[a] - 1) * jump[a]
            jump[a] *= s[a]
    return tuple(rf) if n is not None else rf[0]
