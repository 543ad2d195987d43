"""Argument rules of the torch-style dialect (``pyfilter.nn``): float
dtypes, padding forms and modes, groups, pooling windows."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._common.codes import MODES, TORCH_PADDING_MODES
from .._common.errors import ArgumentError, ArgumentTypeError
from .._common.validate import as_int, check_array, int_sequence

# ---------------------------------------------------------------- pooling
def check_pool_input(x: Any, nd: int, name: str = "input",
                     floats_only: bool = False) -> tuple[NDArray[Any], bool]:
    """A pooling input: (N, C, *spatial) or unbatched (C, *spatial) with
    ``nd`` spatial axes, float32/float64 (or an integer dtype unless
    ``floats_only``).  Returns the array and whether it was batched."""
    arr = check_array(x, name, min_ndim=0)
    if arr.ndim not in (nd + 1, nd + 2):
        raise ArgumentError(f"{name} must have shape (N, C, *spatial) or (C, *spatial) with "
                            f"{nd} spatial axis/axes, i.e. {nd + 1} or {nd + 2} dimensions; "
                            f"got an array of shape {arr.shape}")
    kinds = "f" if floats_only else "fiu"
    if arr.dtype.kind not in kinds or arr.dtype == np.float16:
        allowed = "float32 or float64" if floats_only else "float32, float64 or an integer dtype"
        raise ArgumentTypeError(f"{name} has dtype {arr.dtype}; this operation needs {allowed}")
    batched = arr.ndim == nd + 2
    dims = arr.shape[1:] if batched else arr.shape
    if any(s == 0 for s in dims):
        raise ArgumentError(f"{name} has shape {arr.shape}: only the batch axis may be empty")
    return arr, batched


def pool_args(nd: int, kernel_size: Any, stride: Any, padding: Any, dilation: Any = 1
              ) -> tuple[list[int], list[int], list[int], list[int]]:
    """kernel_size, stride (None: the kernel), padding and dilation as
    lists of ``nd`` ints, checked as torch checks them (padding at most
    half the kernel size)."""
    k = int_sequence(kernel_size, nd, "kernel_size", minimum=1)
    s = k if stride is None else int_sequence(stride, nd, "stride", minimum=1)
    p = int_sequence(padding, nd, "padding", minimum=0)
    d = int_sequence(dilation, nd, "dilation", minimum=1)
    for pi, ki in zip(p, k):
        if pi > ki // 2:
            raise ArgumentError(f"padding must be at most half the kernel size (padding <= "
                                f"kernel_size // 2); got padding={padding!r} with "
                                f"kernel_size={kernel_size!r}")
    return k, s, p, d


# ---------------------------------------------------------------- CNN layers (pyfilter.nn)
NN_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# padding_mode names accepted by pyfilter.nn: torch's names (their meaning
# wins where a name is shared: 'reflect' is torch's reflect = scipy 'mirror'),
# the other scipy names, and numpy's 'symmetric' for scipy's 'reflect'.
NN_PADDING_MODES = dict(TORCH_PADDING_MODES)
NN_PADDING_MODES.update({m: m for m in MODES if m != "reflect"})
NN_PADDING_MODES["symmetric"] = "reflect"


def nn_array(x: Any, name: str,
             like: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
    """``x`` as a float32/float64 ndarray (native byte order).

    With ``like`` (the input array): an ndarray ``x`` of another dtype is a
    TypeError naming both (no silent mixing); a plain sequence adopts the
    dtype of ``like``.
    """
    if isinstance(x, np.ndarray):
        arr = x
    else:
        try:
            arr = np.asarray(x, dtype=like.dtype if like is not None else None)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be a float32 or float64 array, got "
                            f"{type(x).__name__}: {exc}") from None
    if arr.dtype.newbyteorder("=") not in NN_DTYPES:
        raise ArgumentTypeError(f"{name} has dtype {arr.dtype}; pyfilter.nn supports float32 and "
                                f"float64 only (convert with .astype(np.float32))")
    if like is not None and arr.dtype.newbyteorder("=") != like.dtype:
        raise ArgumentTypeError(f"{name} has dtype {arr.dtype} but input has dtype {like.dtype}; "
                                "pass arrays of one dtype (float32 or float64), e.g. "
                                f"{name}.astype(np.{like.dtype.name})")
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr


def nn_padding_mode(padding_mode: Any, name: str = "padding_mode") -> tuple[int, str | None]:
    """(mode code, torch name or None) of a pyfilter.nn padding_mode."""
    if not isinstance(padding_mode, str) or padding_mode not in NN_PADDING_MODES:
        raise ArgumentError(f"{name}={padding_mode!r} is not supported; expected one of "
                            f"{sorted(NN_PADDING_MODES)} (torch's 'zeros', 'reflect', "
                            "'replicate', 'circular', or a scipy.ndimage mode name)")
    torch_name = padding_mode if padding_mode in TORCH_PADDING_MODES else None
    return MODES[NN_PADDING_MODES[padding_mode]], torch_name


def nn_padding(padding: Any, kernel: Sequence[int], dilation: Sequence[int],
               stride: Sequence[int], name: str = "padding",
               strings: bool = True) -> list[tuple[int, int]]:
    """Per-axis (left, right) padding from torch's forms.

    ``padding``: an int, one int per axis, or (with ``strings``) 'valid',
    'same' (stride 1 only; the extra of an odd total goes right, as torch)
    or 'full' (d (k - 1) on both sides).
    """
    n = len(kernel)
    if isinstance(padding, str):
        if not strings:
            raise ArgumentError(f"{name}={padding!r}: only integer padding is supported here")
        if padding == "valid":
            return [(0, 0)] * n
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ArgumentError(f"{name}='same' is not supported for strided convolutions "
                                    f"(stride={tuple(stride)}); use an integer padding")
            out = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                out.append((total // 2, total - total // 2))
            return out
        if padding == "full":
            return [(d * (k - 1), d * (k - 1)) for k, d in zip(kernel, dilation)]
        raise ArgumentError(f"{name}={padding!r} is not a padding; expected an int, a tuple "
                            "of ints, 'valid', 'same' or 'full'")
    vals = int_sequence(padding, n, name)
    for v in vals:
        if v < 0:
            raise ArgumentError(f"{name} must be non-negative, got {padding!r}")
    return [(v, v) for v in vals]


def nn_output_padding(output_padding: Any, stride: Sequence[int], dilation: Sequence[int],
                      name: str = "output_padding") -> list[int]:
    """torch's rule: 0 <= output_padding < max(stride, dilation) per axis."""
    op = int_sequence(output_padding, len(stride), name, minimum=0)
    for a, s, d in zip(op, stride, dilation):
        if a >= max(s, d):
            raise ArgumentError(f"{name} must be smaller than either stride or dilation; "
                                f"got {name}={tuple(op)} with stride={tuple(stride)} "
                                f"and dilation={tuple(dilation)}")
    return op


def nn_groups(groups: Any, c_in: int, c_out: int, name: str = "groups") -> int:
    g = as_int(groups, name)
    if g < 1:
        raise ArgumentError(f"{name} must be >= 1, got {groups!r}")
    if c_in % g:
        raise ArgumentError(f"{name}={g} does not divide the {c_in} input channels")
    if c_out % g:
        raise ArgumentError(f"{name}={g} does not divide the {c_out} output channels")
    return g
