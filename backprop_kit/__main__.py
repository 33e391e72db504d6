"""``python -m backprop_kit``: the instructor tools' one command, the same as ``backprop-kit``."""

if __name__ == "__main__":
    from backprop_kit.tools import main

    raise SystemExit(main())
