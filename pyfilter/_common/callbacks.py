"""The function argument of the generic filters: a Python callable, or a
scipy.LowLevelCallable whose signature is one scipy accepts, resolved to
``(address, user_data)`` of its C function."""
from __future__ import annotations

import ctypes
import sys
from typing import Any, Callable, Union

import numpy as np

from .errors import ArgumentError

__all__ = ["resolve_function", "ND_SIGNATURES", "LINE_SIGNATURES"]


def _intp_names() -> list[str]:
    size = np.dtype(np.intp).itemsize
    names = ["intptr_t", "npy_intp"]
    for name, ct in (("short", ctypes.c_short), ("int", ctypes.c_int),
                     ("long", ctypes.c_long), ("long long", ctypes.c_longlong)):
        if ctypes.sizeof(ct) == size:
            names.append(name)
    return names


# scipy's accepted signatures, in its order (generic_filter, generic_filter1d)
ND_SIGNATURES = [f"int (double *, {t}, double *, void *)" for t in _intp_names()]
LINE_SIGNATURES = [f"int (double *, {t}, double *, {t}, void *)" for t in _intp_names()]

_api = ctypes.pythonapi
_get_name = _api.PyCapsule_GetName
_get_name.restype = ctypes.c_char_p
_get_name.argtypes = [ctypes.py_object]
_get_pointer = _api.PyCapsule_GetPointer
_get_pointer.restype = ctypes.c_void_p
_get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_get_context = _api.PyCapsule_GetContext
_get_context.restype = ctypes.c_void_p
_get_context.argtypes = [ctypes.py_object]


def _is_low_level(function: Any) -> bool:
    scipy = sys.modules.get("scipy")
    cls = getattr(scipy, "LowLevelCallable", None) if scipy is not None else None
    return cls is not None and isinstance(function, cls)


def resolve_function(function: Any, signatures: list[str],
                     name: str = "function") -> Union[Callable[..., Any], tuple[int, int]]:
    """``function`` itself when it is a Python callable; for a
    scipy.LowLevelCallable, ``(address, user_data)`` of its C function
    after checking its signature against ``signatures`` (scipy's
    ValueError otherwise).  Anything else: scipy's ValueError."""
    if _is_low_level(function):
        capsule = tuple.__getitem__(function, 0)
        raw = _get_name(capsule)
        sig = raw.decode() if raw is not None else ""
        if sig not in signatures:
            raise ArgumentError(f'Invalid scipy.LowLevelCallable signature "{sig}". '
                                f"Expected one of: {signatures}")
        ptr = _get_pointer(capsule, raw)
        ctx = _get_context(capsule)
        if not ptr:
            raise ArgumentError(f"{name} is a scipy.LowLevelCallable with a NULL pointer")
        return (int(ptr), int(ctx or 0))
    if callable(function):
        return function
    raise ArgumentError(f"invalid callable given: {name} must be a callable or a "
                        f"scipy.LowLevelCallable, got {type(function).__name__} {function!r}")
