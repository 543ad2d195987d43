"""show_config(): the BLAS library, thread pools and wait policy it reports
are the ones threadpoolctl and the environment say are in force."""
import os
import subprocess
import sys

import pytest
import threadpoolctl

import pyfilter
from pyfilter._common.config import config


def test_thread_pools_match_threadpoolctl():
    cfg = config()
    info = threadpoolctl.threadpool_info()
    assert len(cfg["thread_pools"]) == len(info)
    for line, pool in zip(cfg["thread_pools"], info):
        assert line.startswith(pool["user_api"] + ": ")
        assert f"{pool['num_threads']} threads" in line
        assert os.path.basename(pool["filepath"]) in line


def test_blas_is_scipys():
    import scipy
    scipy_dir = os.path.dirname(os.path.abspath(scipy.__file__))
    libs = [p for p in threadpoolctl.threadpool_info()
            if p["user_api"] == "blas" and os.path.abspath(p["filepath"]).startswith(scipy_dir)]
    blas = config()["blas"]
    assert blas.endswith("via scipy.linalg.cython_blas")
    if libs:
        assert os.path.basename(libs[0]["filepath"]) in blas
        assert libs[0]["internal_api"] in blas


@pytest.mark.parametrize("env, expected", [
    ({}, "libgomp default"),
    ({"OMP_WAIT_POLICY": "PASSIVE"}, "sleep at once"),
    ({"GOMP_SPINCOUNT": "INFINITE"}, "never sleep"),
    ({"GOMP_SPINCOUNT": "10000"}, "spin about 0.1 ms"),
])
def test_wait_policy_reported(env, expected):
    if not pyfilter._cext._runtime.openmp_enabled():
        pytest.fail("these tests need the OpenMP build")
    clean = {k: v for k, v in os.environ.items()
             if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    out = subprocess.run(
        [sys.executable, "-c", "import pyfilter; pyfilter.show_config()"],
        env={**clean, **env}, capture_output=True, text=True, check=True).stdout
    line = next(l for l in out.splitlines() if "omp_wait_policy" in l)
    assert expected in line, line


def test_show_config_prints_every_entry(capsys):
    pyfilter.show_config()
    out = capsys.readouterr().out
    for key in config():
        assert key in out
    assert out.startswith(f"pyfilter {pyfilter.__version__}")
