"""Build script for pyfilter's compiled engines.

Environment switches (all read at build time):

``PYFILTER_NO_OPENMP=1``
    Build without OpenMP (serial kernels) even when the compiler supports it.
``PYFILTER_NATIVE=1``
    Compile for the build machine (``-march=native``) instead of portable code.
``PYFILTER_DEBUG=1``
    Cython ``boundscheck``, ``wraparound`` and ``initializedcheck`` on, ``-O1 -g``.
``PYFILTER_ASAN=1``
    AddressSanitizer build (``-fsanitize=address``, ``-O1 -g``, the baseline
    variant only); run it with libasan preloaded (``make test-asan``).

``PYFILTER_BUILD_JOBS=n``
    Compile ``n`` extensions at a time (default: one per CPU).
``PYFILTER_CYTHON_JOBS=n``
    Translate ``n`` Cython modules at a time (default: up to 4).

``CFLAGS`` and ``LDFLAGS`` apply to the engines and to the OpenMP test
program alike (a sanitizer in them must not make the test fail to link).

OpenMP is detected by compiling and linking a small test program; when that
fails the build goes on serially with a warning.  On x86-64 every engine is
translated by Cython once and compiled three times: a portable baseline, an
AVX2+FMA variant and an AVX-512 variant; ``pyfilter._cext`` picks the best
one the running CPU supports.
"""
import glob
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import warnings

import numpy as np
from Cython import __version__ as cython_version
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
try:
    from setuptools.modified import newer_group
except ImportError:  # setuptools < 69
    from distutils.dep_util import newer_group

HERE = os.path.dirname(os.path.abspath(__file__))
CEXT = os.path.join("pyfilter", "_cext")


def _flag(name):
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


DEBUG = _flag("PYFILTER_DEBUG")
NATIVE = _flag("PYFILTER_NATIVE")
NO_OPENMP = _flag("PYFILTER_NO_OPENMP")
ASAN = _flag("PYFILTER_ASAN")
SAN_FLAGS = ["-fsanitize=address", "-fno-omit-frame-pointer"] if ASAN else []
X86_64 = platform.machine().lower() in ("x86_64", "amd64")
# SIMD variants compiled from the same source, picked at import time.
VARIANTS = {"base": []}
if X86_64 and not NATIVE and not ASAN:
    # on x86-64 the portable build runs only on CPUs without AVX2 (made
    # before 2013-2015): -O2 (GCC vectorises there too, more cheaply)
    # halves its compile time, and the vector builds keep -O3
    if not DEBUG:
        VARIANTS["base"] = ["-O2"]
    VARIANTS["avx2"] = ["-mavx2", "-mfma"]
    # 512-bit vectors where the CPU has AVX-512 (F, CD, BW, DQ, VL: Intel
    # since Skylake-SP, AMD since Zen 4); GCC prefers 256-bit vectors
    # unless told otherwise
    VARIANTS["avx512"] = ["-mavx2", "-mfma", "-mavx512f", "-mavx512cd", "-mavx512bw",
                          "-mavx512dq", "-mavx512vl", "-mprefer-vector-width=512"]

if DEBUG or ASAN:
    OPT_FLAGS = ["-O1", "-g"]
elif NATIVE:
    OPT_FLAGS = ["-O3", "-g0", "-march=native"]
else:
    # no debug information: Python's own CFLAGS carry -g, which makes the
    # engines' large C files compile about a third slower
    OPT_FLAGS = ["-O3", "-g0"]
COMMON_FLAGS = ["-Wno-unused-function", "-Wno-maybe-uninitialized",
                "-Wno-unreachable-code"]

# Engines: pyfilter/_cext/<name>.pxi is the implementation.  It is
# translated by Cython once, as the module _<name>_base (through a one-line
# stub generated under build/), and that C file is compiled once per variant:
# the variant's source is a two-line C file that includes it under its own
# module init name.  Modules without a .pxi (e.g. _runtime.pyx) are built
# once.  Generated files live under build/, so a build leaves the source
# tree as it was, apart from the compiled modules and _build_config.py.
ENGINES = sorted(os.path.splitext(os.path.basename(p))[0]
                 for p in glob.glob(os.path.join(CEXT, "*.pxi"))
                 if not os.path.basename(p).startswith("_"))
PLAIN_MODULES = ["_runtime"]
GEN = os.path.join("build", "generated")
GEN_CEXT = os.path.join(GEN, CEXT)
# Compile time of each engine relative to the others (measured with GCC 12
# at -O3): the biggest start first so that the parallel jobs end together.
COST = {"reduce": 4, "line": 3, "channel": 3, "correlate": 2}

DIRECTIVES = dict(language_level=3, boundscheck=DEBUG, wraparound=DEBUG,
                  initializedcheck=DEBUG, cdivision=True, nonecheck=False,
                  embedsignature=True, cpow=True)

MODE_STAMP = os.path.join(HERE, "build", "pyfilter_build_mode.json")


def _write(path, text):
    """Write ``text`` to ``path`` unless it already holds it (so that an
    unchanged generated file keeps its time stamp)."""
    old = None
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
    if old != text:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)


def _write_sources():
    """The generated Cython stubs (one per engine) and C variant files."""
    for eng in ENGINES:
        _write(os.path.join(GEN_CEXT, f"_{eng}_base.pyx"),
               f"# Generated by setup.py: the {eng} engine, {eng}.pxi.\n"
               f"# cython: language_level=3\n"
               f'include "{eng}.pxi"\n')
        for var in VARIANTS:
            if var != "base":
                _write(os.path.join(GEN_CEXT, f"_{eng}_{var}.c"),
                       f"/* Generated by setup.py: the {var} build of the {eng} engine. */\n"
                       f"#define PyInit__{eng}_base PyInit__{eng}_{var}\n"
                       f'#include "_{eng}_base.c"\n')


def _mode():
    return dict(debug=DEBUG, native=NATIVE, no_openmp=NO_OPENMP, asan=ASAN,
                variants={k: v for k, v in sorted(VARIANTS.items())})


def _mode_changed():
    try:
        with open(MODE_STAMP) as f:
            return json.load(f) != _mode()
    except (OSError, ValueError):
        return True


def _extensions():
    """The Cython extensions (translated in BuildExt.run) followed by the C
    variant extensions that reuse their translation."""
    exts = []
    for name in PLAIN_MODULES:
        exts.append(Extension(f"pyfilter._cext.{name}",
                              [os.path.join(CEXT, name + ".pyx")]))
    for eng in ENGINES:
        ext = Extension(f"pyfilter._cext._{eng}_base",
                        [os.path.join(GEN_CEXT, f"_{eng}_base.pyx")])
        ext.pyfilter_simd_flags = list(VARIANTS["base"])
        exts.append(ext)
    for eng in ENGINES:
        for var, flags in VARIANTS.items():
            if var == "base":
                continue
            ext = Extension(f"pyfilter._cext._{eng}_{var}",
                            [os.path.join(GEN_CEXT, f"_{eng}_{var}.c")])
            ext.pyfilter_simd_flags = list(flags)
            ext.pyfilter_c_of = os.path.join(GEN_CEXT, f"_{eng}_base.c")
            exts.append(ext)
    headers = sorted(glob.glob(os.path.join(CEXT, "*.h")))
    for ext in exts:
        ext.include_dirs = [np.get_include(), CEXT]
        ext.depends = headers + ([ext.pyfilter_c_of] if hasattr(ext, "pyfilter_c_of") else [])
        ext.define_macros = [("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")]
    return exts


def _cost(ext):
    eng = ext.name.rsplit(".", 1)[-1][1:].rsplit("_", 1)[0]
    return COST.get(eng, 0)


class BuildExt(build_ext):
    """build_ext that detects OpenMP and records the configuration."""

    def finalize_options(self):
        super().finalize_options()
        # compile the extensions in parallel unless told otherwise (pip
        # runs build_ext without --parallel): PYFILTER_BUILD_JOBS, else
        # one job per CPU
        if not self.parallel:
            jobs = int(os.environ.get("PYFILTER_BUILD_JOBS", "0") or 0)
            if not jobs:
                jobs = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                        else os.cpu_count() or 1)
            self.parallel = jobs

    def run(self):
        # Cythonize here rather than at import, so that metadata-only
        # invocations of setup.py do not translate anything.
        if _mode_changed():
            self.force = True
        _write_sources()
        nthreads = int(os.environ.get("PYFILTER_CYTHON_JOBS", "0") or 0) or \
            min(4, os.cpu_count() or 1)
        cython_exts = [e for e in self.extensions if e.sources[0].endswith(".pyx")]
        by_name = {}
        # the engines' stubs are under build/ already, so their C files go
        # next to them (the variant files include them from there); the
        # modules in the source tree are translated into build/ too
        for exts, build_dir in (
                ([e for e in cython_exts if e.sources[0].startswith(GEN)], None),
                ([e for e in cython_exts if not e.sources[0].startswith(GEN)], GEN)):
            translated = cythonize(
                exts, compiler_directives=DIRECTIVES, include_path=[HERE, CEXT],
                force=self.force, quiet=True, build_dir=build_dir,
                nthreads=nthreads if nthreads > 1 else 0)
            by_name.update((e.name, e) for e in translated)
        for ext in cython_exts:
            ext.sources = by_name[ext.name].sources
        # the longest compilations first (--parallel runs them in this order)
        self.extensions.sort(key=_cost, reverse=True)
        super().run()

    def _check_openmp(self):
        if NO_OPENMP:
            return None, "disabled by PYFILTER_NO_OPENMP"
        code = r"""
#include <omp.h>
#include <stdio.h>
int main(void) {
    int n = 0;
    #pragma omp parallel reduction(+:n)
    n += 1;
    printf("%d\n", n > 0 && omp_get_max_threads() > 0);
    return 0;
}
"""
        flags = ["-fopenmp"]
        # the engines' own flags, and the user's LDFLAGS (distutils links
        # executables without them): an -fsanitize in CFLAGS would otherwise
        # fail the link and silently build everything serial
        cflags = SAN_FLAGS
        ldflags = SAN_FLAGS + shlex.split(os.environ.get("LDFLAGS", ""))
        tmp = tempfile.mkdtemp(prefix="pyfilter-omp-")
        try:
            src = os.path.join(tmp, "omp_check.c")
            with open(src, "w") as f:
                f.write(code)
            try:
                objs = self.compiler.compile([src], output_dir=tmp,
                                             extra_postargs=flags + cflags)
                exe = os.path.join(tmp, "omp_check")
                self.compiler.link_executable(objs, exe, extra_postargs=flags + ldflags)
                env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
                out = subprocess.run([exe], capture_output=True, text=True, env=env,
                                     timeout=60)
                if out.returncode != 0 or out.stdout.strip() != "1":
                    return None, "the OpenMP test program did not run"
            except Exception as exc:  # compile/link error: no OpenMP
                return None, f"the OpenMP test program failed to build ({exc})"
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return flags, "ok"

    def build_extension(self, ext):
        # A build into another directory (pip's editable or wheel build)
        # reuses an up-to-date in-place build of the same mode instead of
        # compiling everything a second time.
        if not self.inplace and not self.force:
            rel = self.get_ext_filename(ext.name)
            here = os.path.join(HERE, rel)
            deps = list(ext.sources) + list(ext.depends or [])
            if os.path.exists(here) and not newer_group(deps, here):
                target = self.get_ext_fullpath(ext.name)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy2(here, target)
                return
        super().build_extension(ext)

    def build_extensions(self):
        omp_flags, omp_status = self._check_openmp()
        if omp_flags is None:
            warnings.warn(f"pyfilter: building WITHOUT OpenMP ({omp_status}); "
                          "kernels will run on one thread.")
            print(f"WARNING: pyfilter builds without OpenMP: {omp_status}",
                  file=sys.stderr)
        for ext in self.extensions:
            simd = getattr(ext, "pyfilter_simd_flags", [])
            ext.extra_compile_args = (OPT_FLAGS + COMMON_FLAGS + simd + SAN_FLAGS
                                      + (omp_flags or []))
            ext.extra_link_args = list(omp_flags or []) + SAN_FLAGS
        super().build_extensions()
        dirs = [os.path.join(HERE, CEXT)]
        if not self.inplace:
            dirs.append(os.path.join(self.build_lib, CEXT))
        _write_config(omp_flags, omp_status, self.compiler, dirs)
        os.makedirs(os.path.dirname(MODE_STAMP), exist_ok=True)
        with open(MODE_STAMP, "w") as f:
            json.dump(_mode(), f)


def _write_config(omp_flags, omp_status, compiler, dirs):
    cc = getattr(compiler, "compiler_so", None) or []
    cfg = dict(
        openmp=omp_flags is not None,
        openmp_status=omp_status,
        openmp_flags=omp_flags or [],
        debug=DEBUG,
        native=NATIVE,
        asan=ASAN,
        opt_flags=OPT_FLAGS + COMMON_FLAGS + SAN_FLAGS,
        variants={k: v for k, v in VARIANTS.items()},
        compiler=" ".join(cc[:1]) if cc else "",
        compiler_version=_compiler_version(cc[:1]),
        python_cflags=sysconfig.get_config_var("CFLAGS") or "",
        cython_version=cython_version,
        numpy_build_version=np.__version__,
        machine=platform.machine(),
    )
    text = ("# Generated by setup.py at build time; do not edit.\n"
            f"CONFIG = {cfg!r}\n")
    for d in dirs:
        if os.path.isdir(d):
            with open(os.path.join(d, "_build_config.py"), "w") as f:
                f.write(text)


def _compiler_version(cmd):
    if not cmd:
        return ""
    try:
        out = subprocess.run(cmd + ["--version"], capture_output=True,
                             text=True, timeout=30)
        return out.stdout.splitlines()[0] if out.stdout else ""
    except Exception:
        return ""


setup(
    ext_modules=_extensions(),
    cmdclass={"build_ext": BuildExt},
)
