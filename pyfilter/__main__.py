"""``python -m pyfilter demo`` | ``python -m pyfilter config``."""
import sys


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    cmd = argv[0] if argv else "demo"
    if cmd == "demo":
        from ._demo import main as demo
        return demo(argv[1:])
    if cmd in ("config", "show_config"):
        from . import show_config
        show_config()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
