"""The `handout` command's entry point (the console script), and `python -m handout`.

Signals are taken first, before typer and the rest are imported (interrupts.install): Ctrl-C,
SIGTERM or SIGHUP at any moment ends the command with one line, never a traceback from an import.
"""

from __future__ import annotations


def main() -> None:
    """Run the command line and end the process (interrupts.finish)."""
    from handout import interrupts

    code = 1
    try:
        interrupts.install()
        from handout import kept_code, kept_re

        kept_re.install()  # (the regular expressions kept compiled: before anything compiles one)
        kept_code.install()  # (and the dataclasses' methods)
        import gc

        from handout.workers import BUILD_GC_THRESHOLDS

        gc.set_threshold(*BUILD_GC_THRESHOLDS)  # (loading WeasyPrint: ~150 collections less)
        from handout.cli import run

        code = run()
    except BaseException as error:  # an interrupt outside a command (loading, parsing), or a bug
        signum = interrupts.received() or (2 if isinstance(error, KeyboardInterrupt) else None)
        if signum is None:
            import traceback

            traceback.print_exc()
        else:
            interrupts.say()
            code = 128 + signum
    interrupts.finish(code)


if __name__ == "__main__":
    main()
