"""``python -m pyfilter``: help, subcommands, the missing-extra message and
the demo's captioned grayscale pictures."""
import subprocess
import sys

import numpy as np
import pytest

from pyfilter.__main__ import main


def _run(*args, **kw):
    return subprocess.run([sys.executable, "-m", "pyfilter", *args],
                          capture_output=True, text=True, timeout=300, **kw)


@pytest.mark.parametrize("args", [["--help"], []])
def test_help_exits_zero_and_lists_subcommands(args):
    r = _run(*args)
    assert r.returncode == 0, r.stderr
    assert "usage: python -m pyfilter" in r.stdout
    for cmd in ("demo", "config"):
        assert cmd in r.stdout


def test_unknown_command_is_a_usage_error():
    r = _run("no-such-command")
    assert r.returncode == 2
    assert "invalid choice" in r.stderr


def test_version():
    import pyfilter
    r = _run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"pyfilter {pyfilter.__version__}"


def test_config_prints_the_report():
    r = _run("config")
    assert r.returncode == 0, r.stderr
    assert "omp_wait_policy" in r.stdout and "thread_pools" in r.stdout


def test_missing_extra_is_one_line_naming_it():
    code = ("import sys; sys.modules['skimage'] = None; "
            "from pyfilter.__main__ import main; sys.exit(main(['demo']))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "scikit-image" in lines[0] and "pyfilter[demo]" in lines[0]
    assert "Traceback" not in r.stderr


def test_demo_writes_captioned_grayscale_pngs(tmp_path, capsys):
    from PIL import Image
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    files = sorted(tmp_path.glob("*.png"))
    # the input and one picture per step of the timing table
    steps = [l for l in out.splitlines() if l.endswith(")") and ".png" in l]
    assert len(files) == len(steps) + 1 >= 10
    for f in files:
        im = Image.open(f)
        assert im.mode == "L", f
        a = np.asarray(im)
        # a caption: dark text on the white margin above the panels
        top = a[: a.shape[0] // 20]
        assert (top == 255).mean() > 0.5 and top.min() < 100, f
