"""scikit-image style correlation with output shape, stride and dilation."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np  # noqa: F401  (the examples use it)
from numpy.typing import ArrayLike, NDArray

from .._common import validate as V
from .._common.docs import docfiller
from .._common.shapes import conv_output_length
from .._common.errors import ArgumentError
from .._common.typing import IntOrSeq, Method, Mode, Output, Plan, Scalar, Workers
from .._ops import method as _method
from .._ops import plans as P

__all__ = ["correlate", "convolve"]

_SHAPES = ("same", "valid", "full")
Shape = Literal["same", "valid", "full"]


def _geometry(image_shape: Sequence[int], kshape: Sequence[int], faxes: Sequence[int],
              shape: str, stride: Sequence[int], dilation: Sequence[int],
              origin: Sequence[int], convolution: bool) -> tuple[list[int], list[int]]:
    """Per-filtered-axis base offset and output length.

    With the dilated kernel length ``Ld = d (L - 1) + 1`` and output index
    ``o``, tap ``k`` reads input ``o * s + b + k * d`` where
    ``b = -(Ld // 2 + origin)`` ('same'), ``0`` ('valid') or
    ``-(Ld - 1)`` ('full').
    """
    bases, lengths = [], []
    for i, a in enumerate(faxes):
        n, L, s, d, o = image_shape[a], kshape[i], stride[i], dilation[i], origin[i]
        Ld = d * (L - 1) + 1
        if Ld > V.MAX_SPAN:
            raise ArgumentError(f"dilation={d} spreads the kernel over {Ld} positions along "
                                f"axis {a}; at most {V.MAX_SPAN} are supported")
        if shape == "same":
            V.check_origins([o], [Ld])
            if convolution:
                o = -o - (1 - (Ld & 1))
            b = -(Ld // 2 + o)
            pad = (Ld // 2 + o, Ld - 1 - (Ld // 2 + o))
        elif shape == "valid":
            if n < Ld:
                raise ArgumentError(
                    f"shape='valid' needs the (dilated) kernel to fit inside the image: "
                    f"kernel length {Ld} > image length {n} along axis {a}")
            b = 0
            pad = (0, 0)
        else:
            b = -(Ld - 1)
            pad = (Ld - 1, Ld - 1)
        length = conv_output_length(n, L, s, pad, d)
        bases.append(b)
        lengths.append(length)
    return bases, lengths


_CACHE = P.Cache(64)


def _check_image(image: ArrayLike) -> NDArray[Any]:
    return V.check_array(image, "image")


def _filter(image: ArrayLike, kernel: ArrayLike, mode: Mode, cval: Scalar, origin: IntOrSeq,
            shape: Shape, stride: IntOrSeq, dilation: IntOrSeq, channel_axis: int | None,
            output: Output, workers: Workers, convolution: bool,
            method: Method = "auto") -> NDArray[Any]:
    def plan(x: NDArray[Any]) -> Plan:
        return _plan(x, kernel, mode, cval, origin, shape, stride, dilation, channel_axis,
                     output, convolution, method)
    return P.run_cached(_CACHE, "convolve" if convolution else "correlate", image, output,
                        (kernel, mode, cval, origin, shape, stride, dilation, channel_axis,
                         method), plan, workers, _check_image)


def _plan(image: NDArray[Any], kernel: Any, mode: Mode, cval: Scalar, origin: Any,
          shape: Shape, stride: Any, dilation: Any, channel_axis: Any, output: Output,
          convolution: bool, method: Method) -> Plan:
    kernel = V.check_weights(kernel, "kernel")
    ndim = image.ndim
    if channel_axis is not None:
        channel_axis = V.normalize_axis(channel_axis, ndim, "channel_axis")
        faxes = [a for a in range(ndim) if a != channel_axis]
    else:
        faxes = list(range(ndim))
    if kernel.ndim != len(faxes):
        raise ArgumentError(
            f"kernel has {kernel.ndim} dimension(s) (shape {kernel.shape}), but the image "
            f"has {len(faxes)} spatial dimension(s) (image shape {image.shape}, "
            f"channel_axis={channel_axis})")
    if not isinstance(shape, str) or shape not in _SHAPES:
        raise ArgumentError(f"shape must be one of {_SHAPES}, got {shape!r}")
    nf = len(faxes)
    stride = V.int_sequence(stride, nf, "stride", minimum=1)
    dilation = V.int_sequence(dilation, nf, "dilation", minimum=1)
    origin = V.int_sequence(origin, nf, "origin")
    if shape != "same" and any(origin):
        raise ArgumentError(f"origin is only meaningful with shape='same'; got origin={origin!r} "
                            f"with shape={shape!r}")
    code = V.mode_codes(mode, 1, "mode", allow_sequence=False)[0]
    if convolution:
        kernel = kernel[(slice(None, None, -1),) * kernel.ndim]
    elif kernel.dtype.kind == "c":
        kernel = kernel.conj()
    bases, lengths = _geometry(image.shape, kernel.shape, faxes, shape, stride,
                               dilation, origin, convolution)
    kshape = [1] * ndim
    full_base, full_stride, full_dil = [0] * ndim, [1] * ndim, [1] * ndim
    out_shape = list(image.shape)
    for i, a in enumerate(faxes):
        kshape[a] = kernel.shape[i]
        full_base[a], full_stride[a], full_dil[a] = bases[i], stride[i], dilation[i]
        out_shape[a] = lengths[i]
    w = kernel.reshape(kshape)
    return _method.call(method, image, w, output, [code] * ndim, cval, full_base,
                        full_stride, full_dil, out_shape)


@docfiller
def correlate(image: ArrayLike, kernel: ArrayLike, *, mode: Mode = "reflect",
              cval: Scalar = 0.0, origin: IntOrSeq = 0, shape: Shape = "same",
              stride: IntOrSeq = 1, dilation: IntOrSeq = 1, channel_axis: int | None = None,
              output: Output = None, workers: Workers = None,
              method: Method = "auto") -> NDArray[Any]:
    """Correlate an image with a kernel, with output shape, stride and dilation.

    ``out[o] = sum_k kernel[k] * x~[o * stride + b + k * dilation]`` per
    filtered axis (no kernel flip; complex kernels are conjugated), where
    ``x~`` is the image extended by ``mode`` and ``b`` is
    ``-(Ld // 2 + origin)`` for shape 'same', 0 for 'valid' and
    ``-(Ld - 1)`` for 'full', with ``Ld = dilation * (L - 1) + 1`` the
    dilated kernel length.  With the defaults this is
    :func:`pyfilter.ndimage.correlate`.

    Parameters
    ----------
    image : array_like
        Input image (bool, integer, float32/64 or complex), any strides.
    kernel : array_like
        The kernel, one dimension per spatial axis of ``image``.
    mode : str, optional
        Boundary mode (scipy's names, default 'reflect'); see
        :func:`pyfilter.ndimage.correlate`.  Ignored for ``shape='valid'``.
    cval : scalar, optional
        Fill value for mode 'constant'.  Default 0.0.
    origin : int or sequence of int, optional
        Placement shift of the (dilated) kernel, as scipy's ``origin``;
        only with ``shape='same'``.  Default 0.
    shape : {'same', 'valid', 'full'}, optional
        'same' (default): scipy's result (length ``n`` per axis before
        striding); 'valid': only positions where the dilated kernel lies
        inside the image (``n - d (L - 1)``); 'full': every position where
        it overlaps the image (``n + d (L - 1)``), the outside filled by
        ``mode``.  A kernel larger than the image with 'valid' raises
        ValueError.
    stride : int or sequence of int, optional
        Keep every s-th output along each axis, starting at the first:
        output length ``floor((n + 2p - d (L - 1) - 1) / s) + 1`` with
        ``2p`` = ``d (L - 1)`` ('same'), 0 ('valid') or ``2 d (L - 1)``
        ('full').  Only the kept outputs are computed.  Default 1.
    dilation : int or sequence of int, optional
        Spacing between kernel taps (atrous).  Equals filtering with the
        kernel that has ``d - 1`` zeros inserted between taps, centred as
        scipy centres that longer kernel.  Default 1.
    %(channel_axis)s
    output : ndarray or dtype, optional
        Output array or dtype (default: the dtype of ``image``, complex
        when the kernel is; scipy's casting rules for integers).
    %(workers)s
    method : {'auto', 'direct', 'separable', 'fft'}, optional
        How to compute; see :func:`pyfilter.ndimage.correlate`.  Strides
        and dilations are computed directly by every method: the line
        engine reads only the kept positions (polyphase along the
        contiguous axis), and the FFT path folds the spectrum so its
        inverse transform has the strided size; dilation inserts zeros in
        the FFT's kernel.  Default 'auto'.

    Returns
    -------
    result : ndarray
        The correlation: the shape of ``image`` with each spatial length
        replaced by its output length.

    See Also
    --------
    convolve, pyfilter.ndimage.correlate, pyfilter.nn.conv2d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.arange(36, dtype=np.float64).reshape(6, 6)
    >>> k = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]])
    >>> filters.correlate(x, k, shape='valid').shape
    (4, 4)
    >>> filters.correlate(x, k, shape='valid')[0]
    array([-6., -6., -6., -6.])
    >>> filters.correlate(x, k, shape='full', stride=2).shape
    (4, 4)
    >>> filters.correlate(x, k, dilation=2, shape='valid').shape
    (2, 2)
    >>> filters.correlate(np.ones((4, 4, 3)), np.ones((3, 3)), channel_axis=-1,
    ...                   shape='valid')[..., 0]
    array([[9., 9.],
           [9., 9.]])
    """
    return _filter(image, kernel, mode, cval, origin, shape, stride, dilation,
                   channel_axis, output, workers, False, method)


@docfiller
def convolve(image: ArrayLike, kernel: ArrayLike, *, mode: Mode = "reflect",
             cval: Scalar = 0.0, origin: IntOrSeq = 0, shape: Shape = "same",
             stride: IntOrSeq = 1, dilation: IntOrSeq = 1, channel_axis: int | None = None,
             output: Output = None, workers: Workers = None,
             method: Method = "auto") -> NDArray[Any]:
    """True convolution of an image with a kernel, with output shape, stride and dilation.

    :func:`correlate` with the kernel flipped along every axis (complex
    kernels are not conjugated); with shape 'same' the placement follows
    scipy.ndimage.convolve (even dilated lengths shift by one).  With the
    defaults this is :func:`pyfilter.ndimage.convolve`.

    Parameters
    ----------
    image : array_like
        Input image (bool, integer, float32/64 or complex), any strides.
    kernel : array_like
        The kernel, one dimension per spatial axis of ``image``.
    mode : str, optional
        Boundary mode (scipy's names, default 'reflect'); see
        :func:`pyfilter.ndimage.correlate`.  Ignored for ``shape='valid'``.
    cval : scalar, optional
        Fill value for mode 'constant'.  Default 0.0.
    origin : int or sequence of int, optional
        Placement shift of the (dilated) kernel, as scipy's ``origin``;
        only with ``shape='same'``.  Default 0.
    shape : {'same', 'valid', 'full'}, optional
        'same' (default): scipy's result (length ``n`` per axis before
        striding); 'valid': only positions where the dilated kernel lies
        inside the image (``n - d (L - 1)``); 'full': every position where
        it overlaps the image (``n + d (L - 1)``), the outside filled by
        ``mode``.  A kernel larger than the image with 'valid' raises
        ValueError.
    stride : int or sequence of int, optional
        Keep every s-th output along each axis, starting at the first:
        output length ``floor((n + 2p - d (L - 1) - 1) / s) + 1`` with
        ``2p`` = ``d (L - 1)`` ('same'), 0 ('valid') or ``2 d (L - 1)``
        ('full').  Only the kept outputs are computed.  Default 1.
    dilation : int or sequence of int, optional
        Spacing between kernel taps (atrous).  Equals filtering with the
        kernel that has ``d - 1`` zeros inserted between taps, centred as
        scipy centres that longer kernel.  Default 1.
    %(channel_axis)s
    output : ndarray or dtype, optional
        Output array or dtype (default: the dtype of ``image``, complex
        when the kernel is; scipy's casting rules for integers).
    %(workers)s
    method : {'auto', 'direct', 'separable', 'fft'}, optional
        How to compute; see :func:`pyfilter.ndimage.correlate` and
        :func:`correlate`.  Default 'auto'.

    Returns
    -------
    result : ndarray
        The convolution: the shape of ``image`` with each spatial length
        replaced by its output length.

    See Also
    --------
    correlate, pyfilter.ndimage.convolve

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.arange(36, dtype=np.float64).reshape(6, 6)
    >>> k = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]])
    >>> filters.convolve(x, k, shape='valid').shape
    (4, 4)
    >>> filters.convolve(x, k, shape='valid')[0]
    array([6., 6., 6., 6.])
    >>> filters.convolve(x, k, shape='full', stride=2).shape
    (4, 4)
    >>> filters.convolve(x, k, dilation=2, shape='valid').shape
    (2, 2)
    >>> filters.convolve(np.ones((4, 4, 3)), np.ones((3, 3)), channel_axis=-1,
    ...                  shape='valid')[..., 0]
    array([[9., 9.],
           [9., 9.]])
    """
    return _filter(image, kernel, mode, cval, origin, shape, stride, dilation,
                   channel_axis, output, workers, True, method)
