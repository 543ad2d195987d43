"""The public face of a namespace: the ``__module__`` of its functions.

Each public package (``pyfilter``, ``pyfilter.ndimage``, ``filters``, ``nn``,
``kernels``) calls :func:`publish` on its ``__all__`` once, after importing
the functions from the private modules that define them, and defines a
module-level ``__dir__`` returning its public names.
"""
from __future__ import annotations

import sys
import types
from collections.abc import Iterable


def publish(module_name: str, names: Iterable[str]) -> None:
    """Make module ``module_name`` the ``__module__`` of each function among
    its attributes ``names``, so that reprs, ``help()`` and pickle name the
    public namespace rather than the private module defining the function
    (pickle finds a function by ``__module__`` and ``__qualname__``; the
    public name is that attribute, so it round-trips).

    Only functions: a class keeps the module that defines it, because
    ``inspect.getsource`` finds a class's source through the file of
    ``sys.modules[cls.__module__]``.  Submodules and other values are left
    alone.
    """
    module = sys.modules[module_name]
    for name in names:
        obj = getattr(module, name)
        if isinstance(obj, types.FunctionType):
            obj.__module__ = module_name
