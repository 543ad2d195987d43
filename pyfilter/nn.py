"""CNN-style layers on numpy arrays, with torch.nn.functional's semantics.

Convolutions (1-D to 3-D; stride, padding 'valid'/'same'/'full' and torch's
and scipy's padding modes, dilation, groups and depthwise), transposed
convolutions, depthwise-separable convolution, channel shuffle, im2col
(``unfold``/``fold``), ``relu``, batch-norm folding, the backward passes
(``conv{n}d_input``/``conv{n}d_weight`` as torch.nn.grad, ``conv_bias_grad``)
and conv arithmetic (output shapes, parameters, FLOPs, receptive field).
Arrays are (N, C, *spatial) (or unbatched (C, *spatial)), float32 or float64.
"""
from ._conv import *  # noqa: F401,F403
from ._conv import __all__ as _conv_all

__all__ = list(_conv_all)
