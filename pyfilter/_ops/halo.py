"""Halos: how far each op reads around an output position, per axis.

Tiled and chunked execution (overlapping blocks, dask's ``map_overlap``,
chunked processing of files) relies on this one function: a block
extended by the halo (filled by the boundary mode only at the true array
edges) gives the same output over the block as the whole array.
"""
import numpy as np

from .plans import capture


def halo(func, input, *args, **kwargs):
    """Per axis of ``input`` a pair (below, above): the input positions an
    output position ``i`` of ``func(input, *args, **kwargs)`` reads lie in
    ``[i - below, i + above]`` (stride-1 ops; boundary extension aside).

    ``func`` is a public pyfilter function; ``input`` an array or a shape
    (only its shape and dtype matter; nothing is computed).  Returns None
    when the op cannot say (a Python callable as the filter)."""
    if not isinstance(input, np.ndarray):
        input = np.broadcast_to(np.zeros((), np.float64), tuple(input))
    with capture() as c:
        func(input, *args, **kwargs)
    if c.call is None or c.call.halo is None:
        return None
    return tuple((int(a), int(b)) for a, b in c.call.halo)
