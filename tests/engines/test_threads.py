"""Thread control: workers semantics, set_workers, OMP_NUM_THREADS,
threadpoolctl, thread-count independence and concurrent calls."""
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import scipy.ndimage as ndi

import pyfilter
from pyfilter._common import workers as _workers
from pyfilter._common import workers as _core
from pyfilter import filters
from pyfilter import ndimage as pnd

NCPU = _workers._cpu_count()


@pytest.mark.parametrize("case", ["2d", "3d", "1d-long", "uint8", "strided", "inner",
                                  "complex", "f64-axis0"])
def test_results_identical_for_any_thread_count(rng, case):
    if case == "2d":
        x, w, kw = rng.standard_normal((301, 517)).astype(np.float32), rng.standard_normal((5, 5)), {}
        f = pnd.correlate
    elif case == "3d":
        x, w, kw = rng.standard_normal((40, 50, 60)).astype(np.float32), rng.standard_normal((3, 3, 3)), {}
        f = pnd.correlate
    elif case == "1d-long":
        x, w, kw = rng.standard_normal(300_001), rng.standard_normal(7), {}
        f = pnd.correlate
    elif case == "uint8":
        x, w, kw = rng.integers(0, 256, (300, 400)).astype(np.uint8), rng.standard_normal((3, 3)), {}
        f = pnd.convolve
    elif case == "strided":
        x, w = rng.standard_normal((333, 444)), rng.standard_normal((3, 4))
        kw = dict(stride=(2, 3), dilation=2, shape="full")
        f = filters.correlate
    elif case == "inner":
        x, w, kw = rng.standard_normal((200, 300, 3)), rng.standard_normal((3, 3)), dict(axes=(0, 1))
        f = pnd.correlate
    elif case == "complex":
        x = rng.standard_normal((150, 200)) + 1j * rng.standard_normal((150, 200))
        w, kw, f = rng.standard_normal((3, 3)), {}, pnd.correlate
    else:
        x, w, kw = rng.standard_normal((500, 600)), rng.standard_normal(9), dict(axis=0)
        f = pnd.correlate1d
    results = [f(x, w, workers=n, **kw) for n in (1, 2, 3, 4)]
    for r in results[1:]:
        np.testing.assert_array_equal(r, results[0])
    with pyfilter.set_workers(3):
        np.testing.assert_array_equal(f(x, w, **kw), results[0])


def test_many_python_threads_at_once(rng):
    xs = [rng.standard_normal((120, 130)).astype(np.float32) for _ in range(8)]
    w = rng.standard_normal((5, 5))
    serial = [pnd.correlate(x, w, workers=1) for x in xs]
    results = [None] * 8
    errors = []
    barrier = threading.Barrier(8)

    def work(i):
        try:
            barrier.wait()
            for _ in range(5):
                results[i] = pnd.correlate(xs[i], w, workers=2)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for r, s in zip(results, serial):
        np.testing.assert_array_equal(r, s)
        assert r is not None
    np.testing.assert_allclose(serial[0], ndi.correlate(xs[0], w), rtol=2e-5, atol=2e-5)


def test_workers_semantics():
    assert _workers.resolve(1) == 1
    assert _workers.resolve(5) == min(5, NCPU)  # capped at the usable CPUs
    assert _workers.resolve(-1) == NCPU
    if NCPU > 1:
        assert _workers.resolve(-2) == NCPU - 1
    with pytest.raises(ValueError, match="workers"):
        _workers.resolve(0)
    with pytest.raises(ValueError, match="workers"):
        _workers.resolve(-NCPU - 1)
    for bad in (1.5, "2", True, [2]):
        with pytest.raises(TypeError, match="workers"):
            _workers.resolve(bad)
    x = np.ones((4, 4))
    with pytest.raises(ValueError, match="workers"):
        pnd.correlate(x, np.ones((3, 3)), workers=0)
    with pytest.raises(TypeError, match="workers"):
        pnd.correlate(x, np.ones((3, 3)), workers=2.0)


def test_set_workers_context_is_thread_local_and_nested():
    default = pyfilter.get_workers()
    seen = {}
    with pyfilter.set_workers(1):
        assert pyfilter.get_workers() == 1
        with pyfilter.set_workers(3):
            assert pyfilter.get_workers() == min(3, NCPU)
            t = threading.Thread(target=lambda: seen.setdefault("other", pyfilter.get_workers()))
            t.start()
            t.join()
        assert pyfilter.get_workers() == 1
    assert pyfilter.get_workers() == default
    assert seen["other"] == default  # another Python thread keeps its default
    with pytest.raises(ValueError):
        with pyfilter.set_workers(0):
            pass


def test_default_follows_omp_num_threads():
    code = "import pyfilter; print(pyfilter.get_workers())"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert out.stdout.strip() == "1"


def test_default_follows_threadpoolctl():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from pyfilter._cext import _runtime
    if not _runtime.openmp_enabled():
        pytest.skip("serial build: there is no OpenMP pool to limit")
    with threadpoolctl.threadpool_limits(limits=1, user_api="openmp"):
        assert pyfilter.get_workers() == 1
    assert pyfilter.get_workers() == min(_runtime.max_threads(), NCPU)


def test_small_inputs_do_not_start_threads():
    assert _core.threads_for(4, 100) == 1
    assert _core.threads_for(4, _core.PARALLEL_MIN_WORK - 1) == 1
    assert _core.threads_for(4, _core.PARALLEL_MIN_WORK) == min(4, NCPU)


def test_default_leaves_out_cores_busy_with_other_work(monkeypatch):
    big = 1 << 30
    monkeypatch.setattr(_workers, "_load", [-1.0, 0, None])
    monkeypatch.setattr(_workers, "_own_running_threads", lambda: 1)
    monkeypatch.setattr(_workers, "_runnable_tasks", lambda: 1)      # only us
    assert _workers.threads_for(None, big) == min(_workers.resolve(None), NCPU)
    for running in (2, 3, 50):
        monkeypatch.setattr(_workers, "_load", [-1.0, 0, None])
        monkeypatch.setattr(_workers, "_runnable_tasks", lambda r=running: r)
        expect = max(1, min(_workers.resolve(None), NCPU - (running - 1)))
        assert _workers.threads_for(None, big) == expect
        # an explicit count is honoured, and small calls stay serial
        assert _workers.threads_for(2, big) == min(2, NCPU)
        assert _workers.threads_for(None, 10) == 1
    monkeypatch.setattr(_workers, "_load", [-1.0, 0, None])
    monkeypatch.setattr(_workers, "_runnable_tasks", lambda: None)  # unknown
    assert _workers.threads_for(None, big) == min(_workers.resolve(None), NCPU)


@pytest.mark.skipif(NCPU < 2 or not os.path.exists("/proc/stat"), reason="needs 2 CPUs")
def test_a_busy_process_is_seen(monkeypatch):
    if _workers._cpu_count() != os.cpu_count():
        pytest.skip("this process does not see the whole machine")
    code = "import time\nt = time.time()\nwhile time.time() - t < 30: pass\n"
    p = subprocess.Popen([sys.executable, "-c", code])
    try:
        time.sleep(0.3)
        monkeypatch.setattr(_workers, "_load", [-1.0, 0, None])
        assert _workers._free_cores(time.monotonic()) <= NCPU - 1
    finally:
        p.kill()
        p.wait()


def test_an_isolated_mid_size_call_runs_on_one_thread(monkeypatch):
    """A call that does not follow another closely finds the team asleep:
    below COLD_MIN_WORK it runs serially with the default count; in a burst
    of calls (or with an explicit count) it uses the team."""
    monkeypatch.setattr(_workers, "_runnable_tasks", lambda: 1)
    monkeypatch.setattr(_workers, "_WARM", 0.5)
    monkeypatch.setattr(_workers, "_last_end", [-1e9, -1e9])
    mid = _workers.COLD_MIN_WORK - 1
    assert _workers.threads_for(None, mid) == 1
    assert _workers.threads_for(None, _workers.COLD_MIN_WORK) == min(_workers.resolve(None),
                                                                       NCPU)
    assert _workers.threads_for(2, mid) == min(2, NCPU)
    _workers.call_done(1)
    assert _workers.threads_for(None, mid) == min(_workers.resolve(None), NCPU)
    monkeypatch.setattr(_workers, "_last_end", [time.monotonic() - 1.0, -1e9])
    assert _workers.threads_for(None, mid) == 1


def test_own_spinning_team_is_not_taken_for_other_work(monkeypatch):
    if NCPU < 2:
        pytest.skip("needs 2 CPUs")
    monkeypatch.setattr(_workers, "_WARM", 0.5)
    monkeypatch.setattr(_workers, "_own_running_threads", lambda: None)  # no /proc/self/task
    monkeypatch.setattr(_workers, "_team", [2])
    monkeypatch.setattr(_workers, "_runnable_tasks", lambda: 2)   # us and our team thread
    monkeypatch.setattr(_workers, "_load", [-1.0, 0, None])
    monkeypatch.setattr(_workers, "_last_end", [time.monotonic(), time.monotonic()])
    assert _workers._free_cores(time.monotonic()) == NCPU
    # the same count with our team asleep: another task is running
    monkeypatch.setattr(_workers, "_load", [-1.0, 0, None])
    monkeypatch.setattr(_workers, "_last_end", [-1e9, -1e9])
    assert _workers._free_cores(time.monotonic()) == NCPU - 1


def test_threads_of_this_process_are_not_load(monkeypatch):
    """Runnable threads of our own process (another library's pool spinning
    after its call, torch's or OpenBLAS's) do not count as busy cores."""
    if NCPU < 2:
        pytest.skip("needs 2 CPUs")
    monkeypatch.setattr(_workers, "_runnable_tasks", lambda: 3)
    monkeypatch.setattr(_workers, "_own_running_threads", lambda: 3)
    monkeypatch.setattr(_workers, "_load", [-1.0, 0, None])
    assert _workers._free_cores(time.monotonic()) == NCPU
    monkeypatch.setattr(_workers, "_own_running_threads", lambda: 2)
    monkeypatch.setattr(_workers, "_load", [-1.0, 0, None])
    assert _workers._free_cores(time.monotonic()) == NCPU - 1


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs /proc/self/task")
def test_a_spinning_thread_of_this_process_is_counted():
    import threading
    import zlib
    stop = threading.Event()
    data = os.urandom(1 << 20)

    def spin():                     # zlib releases the GIL on large inputs
        while not stop.is_set():
            zlib.compress(data, 6)

    assert _workers._own_running_threads() >= 1
    th = threading.Thread(target=spin)
    th.start()
    try:
        time.sleep(0.05)
        seen = [_workers._own_running_threads() for _ in range(50)]
    finally:
        stop.set()
        th.join()
    assert max(seen) >= 2


@pytest.mark.parametrize("env, seconds", [
    ({"GOMP_SPINCOUNT": "10000"}, 1e-4), ({"GOMP_SPINCOUNT": "10k"}, 1e-4),
    ({"GOMP_SPINCOUNT": "infinite"}, float("inf")), ({"OMP_WAIT_POLICY": "passive"}, 0.0),
    ({"OMP_WAIT_POLICY": "ACTIVE"}, float("inf")), ({}, 3e-3),
    ({"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "10000"}, 0.0)])
def test_spin_time_read_from_the_wait_policy(monkeypatch, env, seconds):
    from pyfilter import _cext
    monkeypatch.setattr(_cext, "WAIT_POLICY", env)
    assert _cext.spin_seconds() == pytest.approx(seconds)


@pytest.mark.skipif(NCPU < 2 or not _workers._PIN, reason="needs 2 CPUs and placement")
def test_team_threads_pinned_and_the_caller_left_alone(rng):
    """Team threads get one CPU each; the calling thread keeps its mask."""
    before = os.sched_getaffinity(0)
    x = rng.random((512, 512)).astype(np.float32)
    for _ in range(3):
        got = pnd.gaussian_filter(x, 2.0, workers=2)
    np.testing.assert_allclose(got, ndi.gaussian_filter(x, 2.0), rtol=1e-5, atol=1e-6)
    assert os.sched_getaffinity(0) == before
    main = threading.get_native_id()
    single = []
    for tid in os.listdir("/proc/self/task"):
        if int(tid) == main:
            continue
        with open(f"/proc/self/task/{tid}/status") as f:
            allowed = [ln.split(":")[1].strip() for ln in f if ln.startswith("Cpus_allowed_list")]
        if allowed and allowed[0].isdigit():
            single.append(int(allowed[0]))
    assert single, "no team thread pinned to one CPU"
    assert all(c in before for c in single)


@pytest.mark.parametrize("env", [{"PYFILTER_PIN_THREADS": "0"}, {"OMP_PROC_BIND": "false"},
                                 {"OMP_PLACES": "cores"}])
def test_placement_turned_off(env):
    code = "from pyfilter._common import workers as W; print(W._PIN)"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env},
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_core_is_busy_after_two_readings_in_a_row(monkeypatch):
    """One reading that catches a spinning thread does not take the default
    down to one thread; two readings in a row do."""
    if NCPU < 2:
        pytest.skip("needs 2 CPUs")
    monkeypatch.setattr(_workers, "_last_end", [-1e9, -1e9])
    monkeypatch.setattr(_workers, "_own_running_threads", lambda: 1)
    seq = iter([1, NCPU + 1, NCPU + 1, 1])
    monkeypatch.setattr(_workers, "_runnable_tasks", lambda: next(seq))
    monkeypatch.setattr(_workers, "_load", [-1.0, 0, None])
    t = 100.0
    assert _workers._free_cores(t) == NCPU                  # idle
    t += 1.0
    assert _workers._free_cores(t) == NCPU                  # busy once: ignored
    assert _workers._free_cores(t + 0.01) == NCPU           # (cached)
    t += 1.0
    assert _workers._free_cores(t) == 1                     # busy twice
    t += 1.0
    assert _workers._free_cores(t) == NCPU                  # idle again


def test_sanitizer_and_debug_builds_keep_openmp():
    """A build with extra compile or link flags (AddressSanitizer, the
    bounds-checked debug build) still finds OpenMP: the setup.py probe
    links with the same flags (and LDFLAGS)."""
    from pyfilter._cext import _runtime
    from pyfilter._cext._build_config import CONFIG
    if not (CONFIG.get("asan") or CONFIG.get("debug")):
        pytest.skip("a release build (the asan and debug jobs check this)")
    assert CONFIG["openmp"], CONFIG["openmp_status"]
    assert _runtime.openmp_enabled()
