"""The public API is written out: every public callable is a literal ``def``
in the source with its own literal numpydoc docstring (shared parameter
blocks only through ``pyfilter._common.docs.docfiller``), and the sources
carry no other docstring mechanism."""
import ast
import inspect
import pathlib
import re
import textwrap

import pytest

import pyfilter
from pyfilter import filters, kernels, morphology, ndimage, nn
from pyfilter.filters import rank as filters_rank
from pyfilter._common import docs

ROOT = pathlib.Path(pyfilter.__file__).resolve().parent.parent
CLASSES = {"ConvCost"}


def _public():
    out = []
    for mod in (ndimage, filters, filters_rank, morphology, nn, kernels):
        for name in mod.__all__:
            out.append((mod.__name__, name, getattr(mod, name)))
    for name in ("set_workers", "get_workers", "show_config"):
        out.append(("pyfilter", name, getattr(pyfilter, name)))
    return out


PUBLIC = _public()
IDS = [f"{m}.{n}" for m, n, _ in PUBLIC]


def _definition(obj):
    """The AST node of ``obj``'s own source (decorators included)."""
    src = textwrap.dedent(inspect.getsource(obj))
    tree = ast.parse(src)
    assert len(tree.body) == 1, "getsource returned more than one statement"
    return src, tree.body[0]


def _section(doc, title):
    return re.search(rf"^\s*{title}\n\s*-{{{len(title)}}}\s*$", doc, re.MULTILINE)


def test_every_public_name_is_listed():
    # the namespaces export exactly their __all__ (no accidental extras)
    for mod in (ndimage, filters, filters_rank, morphology, nn, kernels):
        assert len(set(mod.__all__)) == len(mod.__all__), mod.__name__
        for name in mod.__all__:
            assert hasattr(mod, name), (mod.__name__, name)


@pytest.mark.parametrize("module,name,obj", PUBLIC, ids=IDS)
def test_literal_definition(module, name, obj):
    if name in CLASSES:
        assert inspect.isclass(obj)
        src, node = _definition(obj)
        assert isinstance(node, ast.ClassDef) and node.name == name
        assert ast.get_docstring(node)
        return
    func = inspect.unwrap(obj)          # set_workers is a contextmanager
    assert inspect.isfunction(func), f"{module}.{name} is not a function"
    assert func.__name__ == name and func.__qualname__ == name, (
        f"{module}.{name} is defined as {func.__qualname__!r} (made by a factory?)")
    src, node = _definition(func)
    assert src.lstrip().startswith(("def " + name, "@"))
    assert isinstance(node, ast.FunctionDef) and node.name == name
    # the docstring is the literal one of the def, filled in by docfiller
    # at most (no __doc__ assignment, no templates)
    literal = ast.get_docstring(node, clean=False)
    assert literal, f"{module}.{name} has no literal docstring"
    expected = literal % docs._indented(literal) if "%(" in literal else literal
    assert func.__doc__ == expected, f"{module}.{name}: __doc__ is not its literal docstring"


@pytest.mark.parametrize("module,name,obj", PUBLIC, ids=IDS)
def test_numpydoc_sections(module, name, obj):
    doc = inspect.getdoc(obj)
    assert doc and doc.strip(), f"{module}.{name} has no docstring"
    if name in CLASSES:
        return
    summary = doc.strip().splitlines()[0]
    assert summary and not summary.startswith(" ")
    for title in ("Parameters", "Returns", "Examples"):
        assert _section(doc, title), f"{module}.{name}: no {title} section"
    examples = doc[_section(doc, "Examples").end():]
    assert ">>>" in examples, f"{module}.{name}: the Examples section has no example"
    assert "%(" not in doc, f"{module}.{name}: unfilled fragment"
    assert "%%" not in doc, f"{module}.{name}: '%%' left in a docstring"


def test_fragments_are_literal_text():
    for name, text in docs._FRAGMENTS.items():
        assert "%(" not in text and not re.search(r"\{\w+\}", text), name
        assert not text.startswith((" ", "\n")), name


def _python_sources():
    return sorted((ROOT / "pyfilter").rglob("*.py"))


def test_no_other_docstring_mechanism():
    # __doc__ assignments, globals() assignments, docstring templates
    pattern = re.compile(r"\.__doc__\s*=|globals\(\)\s*\[[^]]*\]\s*(=|\.)"
                         r"|_DOC\s*=\s*\"\"\"|\.format\(")
    for path in _python_sources():
        if path.name == "docs.py" and path.parent.name == "_common":
            continue
        text = path.read_text()
        for lineno, line in enumerate(text.splitlines(), 1):
            assert not pattern.search(line), f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}"


def test_sources_cite_no_outside_documents():
    # the repository is self-contained: comments and docstrings cite files
    # in it (docs/*.md), never outside documents or issue numbers
    names = ["REFERENCE", "PERF", "CONVENTIONS", "ARCHITECTURE"]
    pattern = re.compile("|".join(n + r"\.md" for n in names)
                         + r"|\.\./shared|issue [0-9]")
    suffixes = (".py", ".pyx", ".pxi", ".pxd", ".h")
    paths = [p for d in ("pyfilter", "tests", "benchmarks") for p in (ROOT / d).rglob("*")
             if p.suffix in suffixes and p.is_file()]
    paths += [ROOT / n for n in ("README.md", "setup.py", "Makefile")]
    for path in paths:
        if not path.exists():
            continue
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            assert not pattern.search(line), f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}"
