"""Benchmark harness: cases, timing, ratio table, JSON and PNG output.

A benchmark module ``benchmarks/bench_<topic>.py`` defines ``cases()``
returning a list of :class:`Case`.  Each case names pyfilter's callable and
the peers' callables for the same operation; all are timed in the same
process run, and the table reports ``peer time / pyfilter time`` (higher is
better for pyfilter).  A case's targets (minimum speed-ups against named
peers) are checked and marked.  The rules for running benchmarks are in
docs/performance.md.
"""
import dataclasses
import gc
import json
import os
import platform
import statistics
import sys
import time
from typing import Callable, Dict, Optional


@dataclasses.dataclass
class Case:
    name: str                       # e.g. "3x3 correlate 4096^2 f32"
    group: str                      # module topic, e.g. "correlate"
    pyfilter: Callable[[], object]  # the timed pyfilter call
    peers: Dict[str, Callable[[], object]]  # peer name -> timed call
    targets: Dict[str, float] = dataclasses.field(default_factory=dict)
    # targets: peer -> minimum speed-up (peer_time / pyfilter_time)
    preallocated: bool = True       # outputs reused where the API allows
    note: str = ""
    repeat: Optional[int] = None    # override the number of timed runs
    flops: Optional[float] = None   # floating point operations of one call
    # a callable that checks pyfilter's answer against a peer (raises)
    check: Optional[Callable[[], None]] = None
    # a context manager factory around the timing (e.g. a busy core)
    context: Optional[Callable[[], object]] = None
    # targets on the 90th percentile too (peer p90 / pyfilter p90)
    p90_targets: Dict[str, float] = dataclasses.field(default_factory=dict)


def machine_info():
    import numpy
    import scipy
    import pyfilter
    from pyfilter._common.config import config
    info = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": _cpu_name(),
        "ncpu": os.cpu_count(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "pyfilter": pyfilter.__version__,
        "pyfilter_threads": pyfilter.get_workers(),
        "pyfilter_simd": config()["simd_variant"],
        "MALLOC_MMAP_THRESHOLD_": os.environ.get("MALLOC_MMAP_THRESHOLD_", "(unset)"),
    }
    for mod, key in (("cv2", "opencv"), ("skimage", "scikit-image"), ("torch", "torch")):
        try:
            m = __import__(mod)
            info[key] = m.__version__
        except Exception:
            info[key] = "(not installed)"
    try:
        import cv2
        info["opencv_threads"] = cv2.getNumThreads()
    except Exception:
        pass
    try:
        import torch
        info["torch_threads"] = torch.get_num_threads()
    except Exception:
        pass
    return info


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _interleaved(fns, repeat, budget=60.0):
    """Time several callables round-robin (one warm-up each), so that load
    from other processes affects all of them alike.  In every round a call
    shorter than 0.1 s is preceded by one untimed call of itself: on the
    2-vCPU guest the benchmarks run on, the first multi-threaded call
    after another library's long call ran 5-15x slower (pyfilter and
    OpenCV alike: the idle vCPU is slow to wake), which timed the
    machine's wake-up rather than the library.  Returns, per callable,
    (median, min, p90) seconds, or the exception it raised."""
    results = [None] * len(fns)
    alive = []
    first = {}
    for i, fn in enumerate(fns):
        try:
            t0 = time.perf_counter()
            fn()
            first[i] = time.perf_counter() - t0
            alive.append(i)
        except Exception as exc:  # a peer that cannot run this case
            results[i] = exc
    times = {i: [] for i in alive}
    t_start = time.perf_counter()
    for r in range(repeat):
        for i in alive:
            if first[i] < 0.1:
                fns[i]()
            gc.disable()
            t0 = time.perf_counter()
            fns[i]()
            t1 = time.perf_counter()
            gc.enable()
            times[i].append(t1 - t0)
        if time.perf_counter() - t_start > budget and r >= 2:
            break
    for i in alive:
        ts = sorted(times[i])
        p90 = ts[min(len(ts) - 1, int(round(0.9 * (len(ts) - 1))))]
        results[i] = (statistics.median(ts), min(ts), p90)
    return results


def run_cases(cases, repeat=7, out=sys.stdout):
    """Time every case (pyfilter and its peers round-robin); return result dicts."""
    results = []
    for case in cases:
        if case.check is not None:
            case.check()
        r = case.repeat or repeat
        names = list(case.peers)
        fns = [case.pyfilter] + [case.peers[n] for n in names]
        if case.context is not None:
            with case.context():
                timed = _interleaved(fns, r)
        else:
            timed = _interleaved(fns, r)
        if isinstance(timed[0], Exception):
            raise timed[0]
        med, mn, p90 = timed[0]
        row = {"name": case.name, "group": case.group, "pyfilter_ms": med * 1e3,
               "pyfilter_min_ms": mn * 1e3, "pyfilter_p90_ms": p90 * 1e3, "peers": {},
               "targets": case.targets, "preallocated": case.preallocated,
               "note": case.note}
        if case.flops:
            row["pyfilter_gflops"] = case.flops / med / 1e9
        for peer, res in zip(names, timed[1:]):
            if isinstance(res, Exception):
                row["peers"][peer] = {"error": f"{type(res).__name__}: {res}"}
                continue
            pmed, pmin, pp90 = res
            entry = {"ms": pmed * 1e3, "min_ms": pmin * 1e3, "ratio": pmed / med,
                     "p90_ms": pp90 * 1e3, "p90_ratio": pp90 / p90}
            if case.flops:
                entry["gflops"] = case.flops / pmed / 1e9
            t = case.targets.get(peer)
            if t is not None:
                entry["target"] = t
                entry["met"] = pmed / med >= t
            t = case.p90_targets.get(peer)
            if t is not None:
                entry["p90_target"] = t
                entry["p90_met"] = pp90 / p90 >= t
                entry["met"] = entry.get("met", True) and entry["p90_met"]
            row["peers"][peer] = entry
        results.append(row)
        print(format_row(row), file=out, flush=True)
    return results


def ms(v):
    """A time in ms, with enough digits for microsecond calls."""
    return f"{v:.2f}" if v >= 1 else f"{v:.3g}" if v >= 0.01 else f"{v:.4f}"


def format_row(row):
    parts = [f"{row['name']:<44s} pyfilter {ms(row['pyfilter_ms']):>9s} ms"]
    if "pyfilter_gflops" in row:
        parts.append(f"({row['pyfilter_gflops']:.0f} GFLOP/s)")
    for peer, e in row["peers"].items():
        if "error" in e:
            parts.append(f"| {peer}: n/a")
            continue
        mark = ""
        if "target" in e:
            mark = (" ok" if e["met"] else " MISSED") + f" (target {e['target']:.3g}x)"
        if "p90_target" in e:
            mark += f"; p90 {e['p90_ratio']:.2f}x" + (" ok" if e["p90_met"] else " MISSED")
        parts.append(f"| {peer} {ms(e['ms'])} ms = {e['ratio']:.2f}x{mark}")
    return " ".join(parts)


def markdown_table(results):
    lines = ["| case | pyfilter ms | peer | peer ms | speed-up (peer/pyfilter) | target |",
             "|---|---:|---|---:|---:|---|"]
    for row in results:
        first = True
        peers = row["peers"] or {"-": {}}
        for peer, e in peers.items():
            name = row["name"] if first else ""
            pf = ms(row['pyfilter_ms']) if first else ""
            if "error" in e or not e:
                lines.append(f"| {name} | {pf} | {peer} | n/a | | |")
            else:
                tgt = ""
                if "target" in e:
                    tgt = f">= {e['target']:.3g}x: {'met' if e['met'] else 'MISSED'}"
                if "p90_target" in e:
                    tgt += (f"; p90 {e['p90_ratio']:.2f}x >= {e['p90_target']:.3g}x: "
                            f"{'met' if e['p90_met'] else 'MISSED'}")
                lines.append(f"| {name} | {pf} | {peer} | {ms(e['ms'])} | {e['ratio']:.2f}x | {tgt} |")
            first = False
    return "\n".join(lines)


def save(results, info, outdir):
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump({"machine": info, "results": results}, f, indent=2)
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write(markdown_table(results) + "\n")
    try:
        _plot(results, os.path.join(outdir, "results.png"))
    except Exception as exc:  # matplotlib missing: the JSON is the record
        print(f"(no chart: {exc})")


def _plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names, ratios = [], []
    for row in results:
        for peer, e in row["peers"].items():
            if "ratio" in e:
                names.append(f"{row['name']}\nvs {peer}")
                ratios.append(e["ratio"])
    if not names:
        return
    fig, ax = plt.subplots(figsize=(10, 0.35 * len(names) + 1.5))
    y = range(len(names))
    ax.barh(list(y), ratios, color=["tab:green" if r >= 1 else "tab:red" for r in ratios])
    ax.set_yticks(list(y))
    ax.set_yticklabels(names, fontsize=6)
    ax.axvline(1.0, color="k", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("speed-up of pyfilter (peer time / pyfilter time), log scale")
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
