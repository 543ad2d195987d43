"""The ``python -m pyfilter`` command (``--help`` lists the subcommands)."""
import argparse
import importlib
import sys

# optional packages each subcommand needs, and the extra that installs them
NEEDS = {"demo": (("skimage", "scikit-image"), ("matplotlib", "matplotlib"))}


def _parser():
    from . import __version__
    p = argparse.ArgumentParser(
        prog="python -m pyfilter",
        description="pyfilter: fast, exact image filtering for numpy arrays.")
    p.add_argument("--version", action="version", version=f"pyfilter {__version__}")
    sub = p.add_subparsers(dest="command", metavar="command", title="commands")
    demo = sub.add_parser(
        "demo", help="filter scikit-image's camera image, write captioned PNGs "
                     "and time each step against scipy.ndimage",
        description="Filter scikit-image's bundled camera image with pyfilter and "
                    "scipy.ndimage, check that the answers agree, print both times "
                    "and write one captioned grayscale PNG per step.")
    demo.add_argument("--out", default="demo_out", metavar="DIR",
                      help="folder for the PNGs (default: %(default)s)")
    sub.add_parser("config", aliases=["show_config"],
                   help="print versions, OpenMP, threads, BLAS and build flags",
                   description="Print pyfilter.show_config(): versions, OpenMP and "
                               "thread settings, BLAS and thread pools, build flags.")
    return p


def _missing(command):
    """The pip names of the optional packages ``command`` needs that do not import."""
    out = []
    for module, package in NEEDS.get(command, ()):
        try:
            importlib.import_module(module)
        except ImportError:
            out.append(package)
    return out


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    command = "config" if args.command == "show_config" else args.command
    missing = _missing(command)
    if missing:
        print(f"pyfilter {command}: needs {' and '.join(missing)}; install the "
              f"'{command}' extra: pip install \"pyfilter[{command}]\" "
              f"(from a clone: pip install \".[{command}]\")", file=sys.stderr)
        return 1
    if command == "demo":
        from ._demo import run
        return run(args.out)
    from . import show_config
    show_config()
    return 0


if __name__ == "__main__":
    sys.exit(main())
