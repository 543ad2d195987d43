"""The public namespaces present themselves as such: their functions'
``__module__`` is the namespace (not the private module defining them),
``dir()`` lists exactly the public names, and the functions pickle by
reference.  (tests/engines/test_public_api.py checks that they are literal
defs with numpydoc docstrings.)"""
import pickle
import types

import pytest

import pyfilter
from pyfilter import filters, kernels, morphology, ndimage, nn
from pyfilter.filters import rank as filters_rank

NAMESPACES = [pyfilter, ndimage, filters, filters_rank, morphology, nn, kernels]
SUBPACKAGES = {"ndimage", "filters", "morphology", "nn", "kernels"}
# classes keep their defining module: inspect.getsource finds a class's
# source through the file of sys.modules[cls.__module__]
CLASSES = {"ConvCost": "pyfilter.nn._conv"}


def _functions():
    out = []
    for mod in NAMESPACES:
        for name in mod.__all__:
            obj = getattr(mod, name)
            if isinstance(obj, types.FunctionType):
                out.append((mod, name, obj))
    return out


FUNCTIONS = _functions()
FIDS = [f"{m.__name__}.{n}" for m, n, _ in FUNCTIONS]


@pytest.mark.parametrize("mod", NAMESPACES, ids=lambda m: m.__name__)
def test_all_names_exist(mod):
    assert len(set(mod.__all__)) == len(mod.__all__)
    for name in mod.__all__:
        assert hasattr(mod, name), (mod.__name__, name)


def test_every_public_value_is_covered():
    # __all__ holds functions, the NamedTuple ConvCost, pyfilter's
    # subpackages and __version__: nothing else
    for mod in NAMESPACES:
        for name in mod.__all__:
            obj = getattr(mod, name)
            if isinstance(obj, types.FunctionType):
                continue
            if mod is pyfilter and name in SUBPACKAGES:
                assert isinstance(obj, types.ModuleType)
            elif mod is pyfilter and name == "__version__":
                assert isinstance(obj, str)
            else:
                assert name in CLASSES, (mod.__name__, name)


@pytest.mark.parametrize("mod,name,obj", FUNCTIONS, ids=FIDS)
def test_module_is_the_public_namespace(mod, name, obj):
    assert obj.__module__ == mod.__name__
    assert obj.__qualname__ == name


def test_classes_keep_their_module():
    assert nn.ConvCost.__module__ == CLASSES["ConvCost"]


@pytest.mark.parametrize("mod,name,obj", FUNCTIONS, ids=FIDS)
def test_pickle_round_trip(mod, name, obj):
    assert pickle.loads(pickle.dumps(obj)) is obj


def test_pickle_examples():
    assert pickle.loads(pickle.dumps(ndimage.correlate)) is ndimage.correlate
    assert pickle.loads(pickle.dumps(pyfilter.set_workers)) is pyfilter.set_workers
    cost = nn.conv_flops((3, 8, 8), 4, 3)
    assert pickle.loads(pickle.dumps(cost)) == cost


@pytest.mark.parametrize("mod", NAMESPACES, ids=lambda m: m.__name__)
def test_dir_is_the_public_names(mod):
    assert dir(mod) == sorted(mod.__all__)
    # nothing public-looking besides __all__ (for pyfilter: the subpackages
    # and __version__, which are in its __all__)
    extra = [n for n in dir(mod) if not n.startswith("_") and n not in mod.__all__]
    assert not extra, (mod.__name__, extra)


def test_top_level_dir():
    assert dir(pyfilter) == sorted(SUBPACKAGES | {"__version__", "set_workers",
                                                  "get_workers", "show_config"})
    for name in ("_cext", "_common", "_ops"):
        assert name not in dir(pyfilter)
    for name in ("_correlate", "_minmax", "_separable"):
        assert name not in dir(ndimage)
