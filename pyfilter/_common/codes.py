"""The codes shared with the engines, read from the compiled module (they
are defined once, in ``pyfilter/_cext/_codes.pxd``), and the peers' names
for them: scipy's mode names, OpenCV's border types, torch's padding
modes, numpy dtypes."""
from typing import Literal

import numpy as np

from .._cext._runtime import CODES as _C

MODE_CONSTANT = _C["MODE_CONSTANT"]
MODE_NEAREST = _C["MODE_NEAREST"]
MODE_REFLECT = _C["MODE_REFLECT"]
MODE_MIRROR = _C["MODE_MIRROR"]
MODE_WRAP = _C["MODE_WRAP"]

CAST_ND = _C["CAST_ND"]
CAST_LINE = _C["CAST_LINE"]
CAST_WRAP = _C["CAST_WRAP"]

OP_MAX = _C["OP_MAX"]
OP_MIN = _C["OP_MIN"]
OP_SUM = _C["OP_SUM"]
OP_RANK = _C["OP_RANK"]

K_SINGLE = _C["K_SINGLE"]
K_SYM = _C["K_SYM"]
K_ANTI = _C["K_ANTI"]

COMB_TERM = _C["COMB_TERM"]
COMB_SUM = _C["COMB_SUM"]
COMB_HYPOT = _C["COMB_HYPOT"]
COMB_ATAN2 = _C["COMB_ATAN2"]
COMB_PROD = _C["COMB_PROD"]
COMB_EIG2 = _C["COMB_EIG2"]
COMB_DIFF = _C["COMB_DIFF"]

PATH_GEMM = _C["PATH_GEMM"]
PATH_DIRECT = _C["PATH_DIRECT"]
PATH_1X1 = _C["PATH_1X1"]

# scipy.ndimage mode names
MODES = {
    "constant": MODE_CONSTANT,
    "grid-constant": MODE_CONSTANT,
    "nearest": MODE_NEAREST,
    "reflect": MODE_REFLECT,
    "grid-mirror": MODE_REFLECT,
    "mirror": MODE_MIRROR,
    "wrap": MODE_WRAP,
    "grid-wrap": MODE_WRAP,
}

# numpy.pad's names of each mode
PadMode = Literal["constant", "edge", "symmetric", "reflect", "wrap"]
NP_PAD: dict[int, PadMode] = {MODE_CONSTANT: "constant", MODE_NEAREST: "edge",
                              MODE_REFLECT: "symmetric", MODE_MIRROR: "reflect",
                              MODE_WRAP: "wrap"}

# torch padding_mode names -> scipy mode names ("reflect" is a false friend:
# torch's reflect is scipy's mirror)
TORCH_PADDING_MODES = {"zeros": "constant", "reflect": "mirror",
                       "replicate": "nearest", "circular": "wrap"}

# OpenCV border types -> scipy mode names
CV_BORDERS = {0: "constant", 1: "nearest", 2: "reflect", 3: "wrap", 4: "mirror"}

# numpy dtypes -> element type codes
TYPECODES = {
    np.dtype(np.bool_): _C["TC_BOOL"], np.dtype(np.int8): _C["TC_INT8"],
    np.dtype(np.uint8): _C["TC_UINT8"], np.dtype(np.int16): _C["TC_INT16"],
    np.dtype(np.uint16): _C["TC_UINT16"], np.dtype(np.int32): _C["TC_INT32"],
    np.dtype(np.uint32): _C["TC_UINT32"], np.dtype(np.int64): _C["TC_INT64"],
    np.dtype(np.uint64): _C["TC_UINT64"], np.dtype(np.float32): _C["TC_FLOAT32"],
    np.dtype(np.float64): _C["TC_FLOAT64"], np.dtype(np.complex64): _C["TC_COMPLEX64"],
    np.dtype(np.complex128): _C["TC_COMPLEX128"],
}
assert len(TYPECODES) == _C["TC_COUNT"]


def typecode(dtype):
    """The engines' code of a (native or byte-swapped) numpy dtype."""
    dtype = np.dtype(dtype)
    if not dtype.isnative:
        dtype = dtype.newbyteorder("=")
    return TYPECODES[dtype]
