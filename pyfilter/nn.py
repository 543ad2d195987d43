"""torch.nn.functional-style layers on numpy arrays.

Inputs are ``(N, C, *spatial)`` or unbatched ``(C, *spatial)``, with
torch's argument names, defaults and output-size rules; every compute
function also takes ``workers=None``.
"""
from ._pooling import *  # noqa: F401,F403  (pooling: max/avg/adaptive/global, unpool, backward)
from ._pooling import __all__ as _pooling_all

__all__ = list(_pooling_all)
