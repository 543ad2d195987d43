"""The layering rules, checked on the source: dialects call the op and
common layers only (never an engine, never another dialect's internals);
the op layer knows no dialect; the common layer knows neither; no import
cycles."""
import ast
import os

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "pyfilter")
DIALECTS = {"ndimage", "filters", "nn", "kernels", "features", "cv", "morphology", "dask"}


def _modules():
    out = {}
    for dirpath, _, files in os.walk(ROOT):
        for f in files:
            if not f.endswith(".py"):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
            name = "pyfilter" if rel == "__init__" else "pyfilter." + rel.removesuffix(".__init__")
            out[name] = path
    return out


def _imports(name, path):
    """pyfilter modules imported by module ``name`` (absolute names)."""
    tree = ast.parse(open(path).read())
    pkg = name if path.endswith("__init__.py") else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("pyfilter"):
                    found.add(a.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                base = base[:len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if not mod.startswith("pyfilter"):
                continue
            found.add(mod)
            for a in node.names:
                found.add(mod + "." + a.name)
    return found


MODULES = _modules()
GRAPH = {m: {i for i in _imports(m, p) if i in MODULES and i != m} for m, p in MODULES.items()}


def _layer(mod):
    parts = mod.split(".")
    if len(parts) == 1:
        return "top"
    head = parts[1]
    if head in DIALECTS:
        return "dialect:" + head
    return {"_ops": "ops", "_common": "common", "_cext": "cext"}.get(head, "top")


def test_modules_found():
    assert "pyfilter._ops.bank" in MODULES and "pyfilter.ndimage._separable" in MODULES


@pytest.mark.parametrize("mod", sorted(MODULES))
def test_layer_rules(mod):
    me = _layer(mod)
    for dep in GRAPH[mod]:
        other = _layer(dep)
        if me == "common":
            assert other in ("common", "cext"), f"{mod} (common) imports {dep}"
        elif me == "ops":
            assert other in ("ops", "common", "cext"), f"{mod} (op layer) imports {dep}"
        elif me.startswith("dialect:"):
            assert other != "cext", f"{mod} (a dialect) imports the engine module {dep}"
            if other.startswith("dialect:") and other != me:
                # another dialect only through its public namespace
                assert not any(p.startswith("_") for p in dep.split(".")[2:]), \
                    f"{mod} reaches into another dialect's internals: {dep}"
        elif me == "cext":
            assert other == "cext", f"{mod} (engines) imports {dep}"


def test_no_import_cycles():
    state = {}
    path = []

    def visit(m):
        state[m] = 1
        path.append(m)
        for d in sorted(GRAPH[m]):
            # a package importing its own submodules is not a cycle
            if d.startswith(m + ".") or m.startswith(d + "."):
                continue
            if state.get(d) == 1:
                raise AssertionError("import cycle: " + " -> ".join(path[path.index(d):] + [d]))
            if d not in state:
                visit(d)
        path.pop()
        state[m] = 2

    for m in sorted(GRAPH):
        if m not in state:
            visit(m)
