"""torch.nn.functional-style layers on numpy arrays.

Convolutions (1-D to 3-D; stride, padding 'valid'/'same'/'full' and torch's
and scipy's padding modes, dilation, groups and depthwise), transposed
convolutions, depthwise-separable convolution, channel shuffle, im2col
(``unfold``/``fold``), ``relu``, batch-norm folding, the backward passes
(``conv{n}d_input``/``conv{n}d_weight`` as torch.nn.grad, ``conv_bias_grad``),
conv arithmetic (output shapes, parameters, FLOPs, receptive field), and
pooling (max/avg/adaptive/global, unpooling, backward passes).
Arrays are (N, C, *spatial) or unbatched (C, *spatial), with torch's
argument names, defaults and output-size rules; every function that runs a
compiled engine also takes ``workers=None``.
"""
from .._common.public import publish as _publish
from ._conv import *  # noqa: F401,F403
from ._conv import __all__ as _conv_all
from ._pool import *  # noqa: F401,F403
from ._pool import __all__ as _pooling_all

__all__ = list(_conv_all) + list(_pooling_all)

_publish(__name__, __all__)


def __dir__() -> list[str]:
    return sorted(__all__)
