"""handout: compile a markdown slide deck into a print-ready PDF handout.

The Python API, for people who script their builds::

    import handout

    result = handout.build("talk.md", per_page=2)        # writes out/talk.pdf
    print(result.output, result.pages, result.slides)
    for problem in result.problems:                      # each with .code, .severity, .file, .line
        print(problem.code, problem)

    report = handout.check("talk.md", per_page=6)        # writes nothing
    assert not report.warnings

    handout.pack("workshop.toml", booklet=True)          # a workshop pack: several decks, one PDF
    handout.build("talk.md", archive=True)               # PDF/A-3, sources attached
    handout.extract("out/talk.pdf", "restored/")         # the sources back

Every option of `handout build` is a keyword argument, named as the flag with '_' for '-'
(`per_page`, `allow_remote`, ...). A problem with the input raises `handout.HandoutError`, whose
`.problem` names the file and line. Nothing here imports WeasyPrint until a build runs.
"""

from __future__ import annotations

from handout.version import __version__

TYPE_CHECKING = False  # (typing itself is not imported: the command starts with this module)
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path
    from typing import Any

    from handout.editions.extract import Extracted
    from handout.errors import HandoutError
    from handout.model import Problem
    from handout.result import Result

__all__ = ["HandoutError", "Problem", "Result", "__version__", "build", "check", "extract", "pack", "rebuild"]


def build(path: Path | str = "slides", output: Path | str | None = None, *,
          progress: Callable[[str, int, int], None] | None = None, **options: Any) -> Result:
    """Build the handout of the deck at `path` (a file, or a folder holding one deck).

    Writes `output` (default: out/<deck name>.pdf); options as the command line's, e.g.
    `per_page=6, paper="letter", grayscale=True`. Settings in handout.toml beside the deck apply
    where an option is not given. `progress(stage, done, total)` is told how rendering goes.
    """
    from handout.record import Record

    given = _known(options)
    record = Record("build", [path], output, given)
    if (kept := record.up_to_date()) is not None:  # (before anything heavy is imported)
        return kept
    from handout.pipeline import run

    result = run(path, output, progress=progress, record=record, **given)
    result.why = record.reason
    return result


def check(path: Path | str = "slides", *, progress: Callable[[str, int, int], None] | None = None,
          **options: Any) -> Result:
    """Every problem the printed handout would show (overflow, missing or uncredited pictures,
    text below 6 pt ...), without writing anything; `result.warnings` is empty when all is well.
    Given a pack file (workshop.toml, or a folder holding one), every part of the pack is
    checked, laid out as the pack's options say (`booklet=True`: as the booklet lays it out).
    `progress(stage, done, total)` is told how it goes, as `build`'s."""
    from pathlib import Path

    from handout.options import PACK_BY_NAME

    target = Path(path)
    if str(path).lower().endswith(".toml") or (target / "workshop.toml").is_file():
        from handout.workshop import check as check_pack

        return check_pack([path], progress=progress, **_known(options, pack=True))
    pack_only = [name for name, value in options.items() if value is not None
                 and name.replace("_", "-") in PACK_BY_NAME]
    if pack_only:
        from handout.errors import HandoutError

        flag = "--" + pack_only[0].replace("_", "-")
        raise HandoutError(f"{flag} is a workshop pack's option, and {target} is a deck",
                           hint=f"check the pack: handout check workshop.toml {flag} ...")
    from handout.pipeline import check as run_check

    return run_check(path, progress=progress, **_known({k: v for k, v in options.items()
                                                        if k.replace("_", "-") not in PACK_BY_NAME}))


def extract(pdf: Path | str, folder: Path | str, *, strict: bool = False) -> Extracted:
    """Write the files an archive edition (`build(..., archive=True)`) carries into `folder`:
    `.written` lists them, `.problems` what was refused (a name that would leave the folder, a
    file already there, a file past a limit), `.rebuild` the command that builds the talk again
    from them (made from the manifest's checked fields). With `strict`, any refusal raises
    HandoutError and nothing is written."""
    from pathlib import Path

    from handout.editions.extract import extract as extract_files

    return extract_files(Path(pdf), Path(folder), strict=strict)


def rebuild(pdf: Path | str, folder: Path | str) -> Any:
    """`extract` into `folder` (new, or empty), then build the talk again there with the command
    and environment its manifest records: `.identical` says whether the bytes are the archive's,
    `.differences` which recorded component (a version, a font, a missing file) differs here."""
    from pathlib import Path

    from handout.editions.rebuild import rebuild as rebuild_archive

    return rebuild_archive(Path(pdf), Path(folder))


def pack(paths: Path | str | Sequence[Path | str], output: Path | str | None = None, *,
         progress: Callable[[str, int, int], None] | None = None, **options: Any) -> Result:
    """Build a workshop pack: a pack file (workshop.toml, or a folder holding one), or several
    decks, as one PDF with a cover, contents, every part and one credits appendix.

    Writes `output` (default: out/<the pack folder's name>.pdf); options as `handout pack`'s:
    the pack's own (`title`, `duplex`, `binding`, `booklet`, `sheet` ...) and every build option,
    which applies to every deck of the pack (`per_page=6`).
    """
    from pathlib import Path

    from handout.record import Record

    listed = [paths] if isinstance(paths, str | Path) else list(paths)
    given = _known(options, pack=True)
    record = Record("pack", listed, output, given)
    if (kept := record.up_to_date()) is not None:  # (before anything heavy is imported)
        return kept
    from handout.workshop import run as run_pack

    result = run_pack(listed, output, progress=progress, record=record, **given)
    result.why = record.reason
    return result


def _known(options: dict[str, Any], pack: bool = False) -> dict[str, Any]:
    from handout.option_values import close_match
    from handout.options import PACK_OPTIONS, SETTING_NAMES

    known = SETTING_NAMES | ({o.attribute for o in PACK_OPTIONS} if pack else set())
    unknown = sorted(set(options) - known)
    if unknown:
        suggestion = close_match(unknown[0], known)
        raise TypeError(f"unknown option {unknown[0]!r}" + (
            suggestion or f"; known options: {', '.join(sorted(known))}"))
    return options


def __getattr__(name: str) -> Any:
    """The API's types, imported when first asked for: `import handout` stays cheap (the command
    takes its signals right after it, handout.__main__)."""
    if name == "Result":
        from handout.result import Result

        return Result
    if name == "HandoutError":
        from handout.errors import HandoutError

        return HandoutError
    if name == "Problem":
        from handout.model import Problem

        return Problem
    raise AttributeError(f"module 'handout' has no attribute {name!r}")
