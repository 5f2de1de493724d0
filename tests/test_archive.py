"""The archive edition (--archive): PDF/A-3 carrying the talk's sources, the same bytes on every
build, and `handout extract`, which gives the sources back and never writes outside its folder.

No PDF/A validator such as veraPDF runs here: the structural checks are pikepdf's (and
pikepdf.pdfa's allowlist check), qpdf's and Ghostscript's."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import time
import zlib
from pathlib import Path
from unittest import mock

import pikepdf
import pytest
from hostile import carrying
from kit import (
    REPO,
    actions,
    assert_level_a_and_pdfua_only,
    attached,
    cli,
    fonts_not_embedded,
    line_of,
    payload,
    write_deck,
    write_jpeg,
    write_png,
)

import handout
from handout import limits

DECK = """\
# Archived talk
author: Ada Lovelace
date: 26 November 2026
keywords: archives, PDF/A

!SLIDE
# Why archive

* the sources travel with the handout

!NOTES
Say why it matters.

!SLIDE left
# A picture

![A lighthouse at dusk](images/phare.jpg)

!SLIDE
# The end

[handout](https://example.org/handout)
"""
SETTINGS = "per-page = 3\n"
CREDITS = """\
["images/phare.jpg"]
title = "Lighthouse"
author = "Grace Hopper"
source = "https://example.org/phare"
licence = "CC BY 4.0"
"""
EPOCH = "1795651200"  # 2026-11-26T00:00:00Z


def write_talk(folder: Path) -> Path:
    deck = write_deck(folder, DECK, settings=SETTINGS)
    (folder / "credits.toml").write_text(CREDITS, encoding="utf-8")
    write_jpeg(folder / "images" / "phare.jpg", (900, 600), seed=7)
    (folder / "notes.txt").write_text("not part of the talk\n", encoding="utf-8")
    return deck


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_talk(tmp_path_factory.mktemp("archive") / "talk")


@pytest.fixture(autouse=True)
def no_source_date(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds are undated unless a test dates them."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture(scope="module")
def archive(built, deck):
    with mock.patch.dict(os.environ):
        os.environ.pop("SOURCE_DATE_EPOCH", None)
        return built(deck, archive=True)


@pytest.fixture(scope="module")
def editions(built, deck, archive):
    """Every edition of the same deck: print, tagged, archive, archive without tags."""
    with mock.patch.dict(os.environ):
        os.environ.pop("SOURCE_DATE_EPOCH", None)
        return {"print": built(deck), "tagged": built(deck, tagged=True), "archive": archive,
                "archive-untagged": built(deck, archive=True, tagged=False)}


def manifest_of(pdf) -> dict:
    return json.loads(attached(pdf)["handout-manifest.json"].data)


# -- what the archive carries --------------------------------------------------------------------

def test_archive_carries_the_deck_its_settings_credits_and_a_manifest(archive, deck):
    files = attached(archive.pdf)
    assert set(files) == {"deck.md", "handout.toml", "credits.toml", "handout-manifest.json"}
    folder = deck.parent
    for name in ("deck.md", "handout.toml", "credits.toml"):
        assert files[name].data == (folder / name).read_bytes()
    assert {name: f.relationship for name, f in files.items()} == {
        "deck.md": "/Source", "handout.toml": "/Data", "credits.toml": "/Data",
        "handout-manifest.json": "/Data"}
    assert {name: f.mime_type for name, f in files.items()} == {
        "deck.md": "/text/markdown", "handout.toml": "/application/toml",
        "credits.toml": "/application/toml", "handout-manifest.json": "/application/json"}
    assert all(f.associated for f in files.values())  # each in the catalog's /AF


def test_manifest_says_how_the_handout_was_made(archive, deck):
    record = manifest_of(archive.pdf)
    assert record["format"] == "handout-archive/1" and record["handout"] == handout.__version__
    assert record["deck"] == "deck.md" and record["reader"] == "keydown"
    assert record["options"]["per-page"] == 3 and record["options"]["archive"] is True
    assert "root" not in record["options"] and "jobs" not in record["options"]
    folder = deck.parent
    by_name = {item["name"]: item for item in record["files"]}
    assert set(by_name) == {"deck.md", "handout.toml", "credits.toml", "images/phare.jpg"}
    for name, item in by_name.items():
        data = (folder / name).read_bytes()
        assert item["sha256"] == hashlib.sha256(data).hexdigest() and item["bytes"] == len(data)
    assert by_name["images/phare.jpg"]["attached"] is False  # without --with-pictures
    assert record["credits"] == [{
        "picture": "images/phare.jpg", "slide": 2, "title": "Lighthouse", "author": "Grace Hopper",
        "source": "https://example.org/phare", "licence": "CC BY 4.0", "licence_url": "",
        "origin": "credits file"}]
    assert record["rebuild"].startswith("handout build deck.md ")
    assert "--per-page 3" in record["rebuild"] and "--archive" in record["rebuild"]
    assert record["built"] is None and record["environment"] == {}
    assert str(folder) not in json.dumps(record)
    tools = record["toolchain"]  # what else the bytes depend on, for `extract --rebuild`
    assert set(tools["versions"]) >= {"python", "handout", "weasyprint", "pydyf", "pikepdf", "pillow",
                                      "pygments", "markdown"}
    assert tools["versions"]["python"] == platform.python_version()
    assert tools["versions"]["weasyprint"] == importlib.metadata.version("weasyprint")
    fonts = REPO / "styles" / "fonts"
    own = {p.relative_to(fonts).as_posix() for p in fonts.rglob("*.ttf")}
    assert own and own <= set(tools["fonts"])  # and the system's CJK and emoji fonts
    assert all(tools["fonts"][name] == hashlib.sha256((fonts / name).read_bytes()).hexdigest()
               for name in own)
    assert re.fullmatch(r"[0-9a-f]{64}", tools["code"])
    [note] = archive.result.with_code("not-in-archive")  # said when the archive is made
    assert note.severity == "note" and "1 picture" in note.message


def test_with_pictures_attaches_the_original_pictures(built, deck):
    files = attached(built(deck, archive=True, with_pictures=True).pdf)
    picture = files["images/phare.jpg"]
    assert picture.data == (deck.parent / "images" / "phare.jpg").read_bytes()  # not the prepared one
    assert (picture.relationship, picture.mime_type, picture.associated) == (
        "/Data", "/image/jpeg", True)
    record = json.loads(files["handout-manifest.json"].data)
    assert {i["name"]: i["attached"] for i in record["files"]}["images/phare.jpg"] is True


def test_xmp_and_document_information_describe_the_talk(archive):
    with pikepdf.open(archive.pdf) as pdf:
        info = pdf.docinfo
        assert (str(info.Title), str(info.Author), str(info.Keywords)) == (
            "Archived talk", "Ada Lovelace", "archives, PDF/A")
        with pdf.open_metadata() as meta:
            assert meta["dc:title"] == "Archived talk"
            assert meta["dc:creator"] == ["Ada Lovelace"]
            assert meta["dc:date"] == ["2026-11-26"]
            assert set(meta["dc:language"]) == {"en"}
            assert meta["pdf:Keywords"] == "archives, PDF/A"
            assert set(meta["dc:subject"]) == {"archives", "PDF/A"}
            rights = meta["dc:rights"]
            assert "Lighthouse" in rights and "Grace Hopper" in rights and "CC BY 4.0" in rights
            assert "https://example.org/phare" in rights
            assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "A")
            assert not any("Date" in key for key in meta)  # undated: no SOURCE_DATE_EPOCH
        assert "/CreationDate" not in info and "/ModDate" not in info


# -- PDF/A, checked (no validator such as veraPDF runs here) ------------------------------------

@pytest.mark.parametrize("edition", ["print", "tagged", "archive", "archive-untagged"])
def test_every_edition_is_sound(editions, edition):
    pdf_path = editions[edition].pdf
    with pikepdf.open(pdf_path) as pdf:
        assert not pdf.is_encrypted and "/Encrypt" not in pdf.trailer
        assert fonts_not_embedded(pdf) == []
        fonts = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"]
        assert fonts
        names = pdf.Root.get("/Names", {})
        assert "/JavaScript" not in names and "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
    assert {kind for kind, _ in actions(pdf_path)} <= {"/URI", "/GoTo"}
    with pikepdf.open(pdf_path) as pdf:
        tagged = "/StructTreeRoot" in pdf.Root
    assert tagged == (edition in ("tagged", "archive"))


@pytest.mark.parametrize("edition", ["archive", "archive-untagged"])
def test_archives_are_pdfa_3(editions, edition):
    import pikepdf.pdfa

    pdf_path = editions[edition].pdf
    with pikepdf.open(pdf_path) as pdf:
        with pdf.open_metadata() as meta:
            level = "A" if edition == "archive" else "B"
            assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", level)
        intents = list(pdf.Root.OutputIntents)
        assert len(intents) == 1 and intents[0].S == "/GTS_PDFA1"
        profile = intents[0].DestOutputProfile
        icc = profile.read_bytes()
        assert int(profile.N) == 3 and icc[36:40] == b"acsp" and icc[16:20] == b"RGB "
        specs = list(pikepdf.NameTree(pdf.Root.Names.EmbeddedFiles).values())
        assert sorted(s.objgen for s in specs) == sorted(s.objgen for s in pdf.Root.AF)
        for spec in specs:
            stream = spec.EF.F
            assert spec.AFRelationship in ("/Source", "/Data") and str(spec.UF) == str(spec.F)
            assert "/Subtype" in stream and int(stream.Params.Size) == len(stream.read_bytes())
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots", ()):
                assert int(annotation.F) & 4, "annotations must print"
    report = pikepdf.pdfa.validate_written(pdf_path, "3b")
    findings = [(f.rule, f.message) for f in report.findings]
    if edition == "archive-untagged":
        assert report.passed, findings
    else:  # pikepdf.pdfa knows level B only, and no extension schema: level A and the PDF/UA
        # claim with the schema that describes it (checked below) are all it objects to
        assert_level_a_and_pdfua_only(report, pdf_path)


@pytest.mark.parametrize("edition", ["print", "tagged", "archive", "archive-untagged"])
def test_qpdf_finds_nothing_wrong(editions, edition):
    if shutil.which("qpdf") is None:
        pytest.skip("qpdf is not installed (apt-get install qpdf)")
    done = subprocess.run(["qpdf", "--check", str(editions[edition].pdf)], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No syntax or stream encoding errors found" in done.stdout
    assert "WARNING" not in done.stdout + done.stderr


@pytest.mark.parametrize("edition", ["print", "tagged", "archive", "archive-untagged"])
def test_ghostscript_renders_every_page_without_a_message(editions, edition):
    if shutil.which("gs") is None:
        pytest.skip("Ghostscript is not installed (apt-get install ghostscript)")
    done = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-dPDFSTOPONERROR",
                           "-sDEVICE=nullpage", str(editions[edition].pdf)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and not (done.stdout + done.stderr).strip(), done.stdout + done.stderr


def test_archive_level_b_when_a_picture_has_no_alt_text(tmp_path):
    folder = tmp_path / "talk"
    deck = write_deck(folder, "# Talk\n\n!SLIDE\n# Shown\n\n![](images/plot.png)\n")
    write_png(folder / "images" / "plot.png", (200, 150))
    result = handout.build(deck, tmp_path / "out.pdf", archive=True)
    note = result.with_code("archive-level")
    assert len(note) == 1 and note[0].line == line_of(deck, "![](images/plot.png)")
    with pikepdf.open(tmp_path / "out.pdf") as pdf, pdf.open_metadata() as meta:
        assert meta["pdfaid:conformance"] == "B"


def test_an_archive_its_check_cannot_vouch_for_claims_no_pdfa(tmp_path):
    """A gradient is beyond pikepdf's check: the archive is written without the PDF/A claim,
    with a warning saying why; --strict refuses it (exit 2), naming what the check could not pass."""
    deck = write_deck(tmp_path / "talk", "# Talk\n\n!SLIDE\n# Shaded\n\n"
                      '<div style="height: 5em; background: linear-gradient(red, blue)">x</div>\n')
    result = handout.build(deck, tmp_path / "out.pdf", archive=True)
    [warning] = result.with_code("archive-check")
    assert "not marked PDF/A" in warning.message and "pattern" in warning.message
    assert "deck.md" in attached(tmp_path / "out.pdf")
    with pikepdf.open(tmp_path / "out.pdf") as pdf, pdf.open_metadata() as meta:
        assert "pdfaid:part" not in meta and "pdfaid:conformance" not in meta
    strict = cli("build", deck, "--archive", "--strict", "-o", tmp_path / "strict.pdf")
    assert strict.returncode == 2 and "not marked PDF/A" in strict.stderr and "pattern" in strict.stderr
    assert not (tmp_path / "strict.pdf").exists()


def test_a_cmyk_picture_keeps_the_archive_pdfa(tmp_path):
    """PDF/A allows device CMYK only with a CMYK output intent: a CMYK JPEG with its ICC profile
    has that profile as its colour space, one without the press profile (editions/press.py), each
    keeping its bytes; the archive passes the check and claims 3a (the pictures have alt text)."""
    import pikepdf.pdfa
    from PIL import Image

    folder = tmp_path / "press"
    profile_file = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")  # Ghostscript's
    profile_bytes = profile_file.read_bytes() if profile_file.is_file() else None
    for name, profile in (("bare.jpg", None), ("profiled.jpg", profile_bytes)):
        write_jpeg(folder / "images" / name, (240, 160), seed=3)
        picture = Image.open(folder / "images" / name).convert("CMYK")
        picture.save(folder / "images" / name, quality=90, **({"icc_profile": profile} if profile else {}))
    deck = write_deck(folder, "# Press\n\n!SLIDE left\n# Photos\n\n![A grey wall](images/bare.jpg)\n"
                      "![The same wall](images/profiled.jpg)\n")
    (folder / "credits.toml").write_text('["images/bare.jpg"]\nauthor = "A printer"\n'
                                         '["images/profiled.jpg"]\nauthor = "A printer"\n', encoding="utf-8")
    result = handout.build(deck, tmp_path / "out.pdf", archive=True)
    assert not result.with_code("archive-check")
    with pikepdf.open(tmp_path / "out.pdf") as pdf:
        with pdf.open_metadata() as meta:
            assert meta["pdfaid:conformance"] == "A"
        images = list(pdf.pages[0].get_images().values())
        assert len(images) == 2
        originals = {(folder / "images" / name).read_bytes() for name in ("bare.jpg", "profiled.jpg")}
        for image in images:
            assert image.ColorSpace[0] == "/ICCBased" and int(image.ColorSpace[1].N) == 4
            assert image.read_raw_bytes() in originals
        if profile_bytes:
            assert profile_bytes in {image.ColorSpace[1].read_bytes() for image in images}
    report = pikepdf.pdfa.validate_written(tmp_path / "out.pdf", "3b")
    assert not [f for f in report.findings if "6.2.4" in f.rule], report.findings  # colour: passes


# -- the same bytes on every build ---------------------------------------------------------------

def test_same_inputs_give_the_same_bytes_on_any_day_in_any_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    first = write_talk(tmp_path / "one" / "talk")
    second = write_talk(tmp_path / "elsewhere" / "deeper" / "copy")
    for path in second.parent.rglob("*"):  # other files' times
        os.utime(path, (1_000_000_000, 1_000_000_000))
    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache-one"))
    handout.build(first, tmp_path / "one.pdf", archive=True, with_pictures=True, jobs=1)
    time.sleep(1.1)  # another second on the clock
    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache-two"))
    handout.build(second, tmp_path / "two.pdf", archive=True, with_pictures=True, jobs=2,
                  cache=False)
    one, two = (tmp_path / "one.pdf").read_bytes(), (tmp_path / "two.pdf").read_bytes()
    assert one == two
    leaked = payload(tmp_path / "one.pdf")
    for path in (tmp_path, Path.home(), "/tmp/", "file:"):
        assert str(path).encode() not in leaked, path
    with pikepdf.open(tmp_path / "one.pdf") as pdf:
        assert str(pdf.docinfo.CreationDate) == str(pdf.docinfo.ModDate) == "D:20261126000000+00'00"
        with pdf.open_metadata() as meta:
            assert meta["xmp:CreateDate"].startswith("2026-11-26T00:00:00")
            assert meta["xmp:MetadataDate"].startswith("2026-11-26T00:00:00")
        for spec in pikepdf.NameTree(pdf.Root.Names.EmbeddedFiles).values():
            assert str(spec.EF.F.Params.ModDate) == "D:20261126000000Z"
    assert manifest_of(tmp_path / "one.pdf")["built"] == "2026-11-26T00:00:00Z"


def test_an_imposed_archive_is_the_same_whatever_the_cache_holds_and_the_cores(tmp_path,
                                                                              monkeypatch):
    """--no-tagged imposes slides from slide documents, merging their fonts: a cached document
    holding other slides' glyphs, or slides split among one document per core, would change the
    bytes; an imposed archive renders its slides afresh, in one process."""
    text = "# Many\n" + "".join(
        f"\n!SLIDE left\n# Slide {n}\n\n* point {n}\n\n![Picture {n % 3}](p{n % 3}.jpg)\n\n"
        f"```python\nprint({n})\n```\n" for n in range(1, 18))
    deck = write_deck(tmp_path / "talk", text)
    for n in range(3):
        write_jpeg(tmp_path / "talk" / f"p{n}.jpg", seed=n)
    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "warm"))
    handout.build(deck, tmp_path / "print.pdf", jobs=2)  # every slide cached, two documents
    handout.build(deck, tmp_path / "warm.pdf", archive=True, tagged=False, slides="2-12", jobs=2)
    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cold"))
    handout.build(deck, tmp_path / "cold.pdf", archive=True, tagged=False, slides="2-12", jobs=1)
    assert (tmp_path / "warm.pdf").read_bytes() == (tmp_path / "cold.pdf").read_bytes()


def test_archive_and_tagged_are_pdfs_not_web_pages(deck, tmp_path):
    for flag in ("--archive", "--tagged"):
        run = cli("build", deck, flag, "--to", "html", "-o", tmp_path / "x.html")
        assert run.returncode == 2 and f"{flag} makes a PDF" in run.stderr
    assert not (tmp_path / "x.html").exists()


def test_source_date_epoch_must_be_a_number(deck, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    run = cli("build", deck, "--archive", "-o", tmp_path / "x.pdf")
    assert run.returncode == 2 and "SOURCE_DATE_EPOCH" in run.stderr
    assert not (tmp_path / "x.pdf").exists()


# -- handout extract -----------------------------------------------------------------------------

def test_extract_gives_back_what_rebuilds_the_same_handout(built, deck, tmp_path):
    archived = built(deck, archive=True, with_pictures=True)
    restored = tmp_path / "restored"
    run = cli("extract", archived.pdf, restored)
    assert run.returncode == 0, run.output
    written = sorted(p.relative_to(restored).as_posix() for p in restored.rglob("*") if p.is_file())
    assert written == ["credits.toml", "deck.md", "handout-manifest.json", "handout.toml",
                       "images/phare.jpg"]
    for name in written[:-1]:
        if name != "handout-manifest.json":
            assert (restored / name).read_bytes() == (deck.parent / name).read_bytes()
    assert (restored / "images/phare.jpg").read_bytes() == (deck.parent / "images/phare.jpg").read_bytes()
    record = json.loads((restored / "handout-manifest.json").read_text(encoding="utf-8"))
    assert f"cd {restored} && {record['rebuild']}" in run.stdout
    # that command gives the same bytes: test_extract_rebuild_gives_the_same_bytes... runs it


def test_extract_says_the_environment_and_the_pictures_left_out(deck, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    pdf = tmp_path / "dated.pdf"
    handout.build(deck, pdf, archive=True)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    run = cli("extract", pdf, tmp_path / "restored")
    assert run.returncode == 1  # the picture the build read is not there
    assert f"&& SOURCE_DATE_EPOCH={EPOCH} handout build deck.md " in run.stdout
    assert "warning[not-in-archive]" in run.stderr and "'images/phare.jpg'" in run.stderr
    assert manifest_of(pdf)["environment"] == {"SOURCE_DATE_EPOCH": EPOCH}


def test_the_rebuild_command_reads_the_root_from_the_folder_it_runs_in():
    """The manifest records --root from the deck's folder (as handout.toml would say it); the
    command runs in the extracted folder, which is that root."""
    from handout.editions.rebuild_command import rebuild_command

    argv, env = rebuild_command({"deck": "talks/day1/deck.md", "options": {"root": "../.."},
                                 "environment": {"SOURCE_DATE_EPOCH": EPOCH}})
    assert argv == ["handout", "build", "talks/day1/deck.md", "--root", "."]
    assert env == {"SOURCE_DATE_EPOCH": EPOCH}
    argv, _ = rebuild_command({"deck": "talks/deck.md", "options": {"root": ".."}})
    assert argv[-2:] == ["--root", "."]
    left_out: list[str] = []
    _, env = rebuild_command({"deck": "deck.md", "environment": {"SOURCE_DATE_EPOCH": "1; rm -rf ~",
                                                                "PATH": "/tmp"}}, left_out=left_out)
    assert env == {} and len(left_out) == 2


def test_extract_rebuild_gives_the_same_bytes_or_says_what_differs(deck, tmp_path, monkeypatch,
                                                                   run_handout):
    """The command extract prints, run in a clean folder with the environment it names, gives
    the archive's bytes (the test runs the real command, in a process of its own); an archive
    whose manifest records another toolchain is rebuilt, and the report names the part."""
    from handout.editions import rebuild

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    pdf = tmp_path / "talk.pdf"
    handout.build(deck, pdf, archive=True, with_pictures=True)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")  # the shell's own date is not the archive's
    same = run_handout("extract", "--rebuild", pdf, tmp_path / "again")
    assert same.returncode == 0, same.output
    assert f"&& SOURCE_DATE_EPOCH={EPOCH} handout build deck.md" in same.stdout
    assert "identical:" in same.stdout
    assert (tmp_path / "again" / "rebuilt.pdf").read_bytes() == pdf.read_bytes()
    with pikepdf.open(pdf) as document:  # as if built with another WeasyPrint and font
        spec = document.attachments["handout-manifest.json"]
        record = json.loads(spec.get_file().read_bytes())
        record["toolchain"]["versions"]["weasyprint"] = "69.1"
        font = next(iter(record["toolchain"]["fonts"]))
        record["toolchain"]["fonts"][font] = "0" * 64
        document.attachments["handout-manifest.json"] = pikepdf.AttachedFileSpec(
            document, json.dumps(record).encode(), filename="handout-manifest.json")
        document.save(tmp_path / "other.pdf")

    def other_bytes(argv, cwd, env, check):  # the build run above, giving other bytes (cheap)
        assert env["SOURCE_DATE_EPOCH"] == EPOCH and argv[argv.index("-o") + 1].endswith("rebuilt.pdf")
        Path(argv[argv.index("-o") + 1]).write_bytes(b"%PDF-1.7 other")
        return subprocess.CompletedProcess(argv, 0)

    monkeypatch.setattr(rebuild.subprocess, "run", other_bytes)
    other = cli("extract", "--rebuild", tmp_path / "other.pdf", tmp_path / "other")
    assert other.returncode == 1 and "different:" in other.stderr
    here = importlib.metadata.version("weasyprint")
    assert f"weasyprint {here} here, 69.1 when it was built" in other.stderr
    assert f"font files differ: {font}" in other.stderr
    assert {"NotoSansCJK-Regular.ttc", "scripts/NotoSansDevanagari-Regular.ttf"} <= set(
        record["toolchain"]["fonts"])  # every font a build may use, the system's too
    busy = cli("extract", "--rebuild", pdf, tmp_path / "again")
    assert busy.returncode == 2 and "not an empty folder" in busy.stderr


def test_extract_never_writes_outside_its_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "box" / "restored"
    target.mkdir(parents=True)
    (target / "link").symlink_to(outside, target_is_directory=True)
    (target / "deck.md").write_text("mine\n", encoding="utf-8")
    hostile = carrying(tmp_path / "hostile.pdf", {
        "../escape.txt": b"x", "sub/../../escape.txt": b"x", str(outside / "abs.txt"): b"x",
        "nul\x00.txt": b"x", "back\\..\\slash.txt": b"x", "C:escape.txt": b"x",
        "link/inside.txt": b"x", "deck.md": b"theirs\n", "./dot.txt": b"x", "a//b.txt": b"x",
        "ok/fine.txt": b"fine\n"})
    before = sorted(tmp_path.rglob("*"))
    run = cli("extract", hostile, target)
    assert run.returncode == 1, run.output
    assert run.stdout.splitlines()[0] == f"wrote {target / 'ok' / 'fine.txt'}"
    assert run.stderr.count("warning[not-extracted]") == 5, run.stderr  # one line a reason
    for name in ("../escape.txt", "sub/../../escape.txt", "abs.txt", "nul\\x00.txt",
                 "back\\..\\slash.txt", "C:escape.txt", "link/inside.txt", "'deck.md'",
                 "./dot.txt", "a//b.txt"):
        assert name in run.stderr, name
    assert (target / "ok" / "fine.txt").read_bytes() == b"fine\n"
    assert (target / "deck.md").read_text(encoding="utf-8") == "mine\n"  # never overwritten
    assert list(outside.iterdir()) == []
    after = sorted(tmp_path.rglob("*"))
    assert set(after) - set(before) == {target / "ok", target / "ok" / "fine.txt"}


def test_extract_refuses_a_file_that_inflates_past_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_EXTRACTED_FILE_BYTES", 1 << 20)
    bomb = zlib.compress(b"\0" * (4 << 20), 9)  # 4 KB that inflate to 4 MB
    pdf = carrying(tmp_path / "bomb.pdf", {"small.txt": b"small\n"}, {"big.bin": bomb})
    result = handout.extract(pdf, tmp_path / "out")
    assert [p.name for p in result.written] == ["small.txt"]
    assert len(result.problems) == 1 and "larger than 1 MB" in result.problems[0].message
    assert not (tmp_path / "out" / "big.bin").exists()


def test_extract_writes_so_many_files_and_no_more(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_EXTRACTED_FILES", 3)
    pdf = carrying(tmp_path / "many.pdf", {f"f{n}.txt": b"x" for n in range(5)})
    result = handout.extract(pdf, tmp_path / "out")
    assert len(result.written) == 3 and len(list((tmp_path / "out").iterdir())) == 3
    [refusal] = result.problems  # one line for the limit, naming what it left out
    assert "at most 3 files" in refusal.message and "'f3.txt', 'f4.txt'" in refusal.message


def test_extract_needs_an_archive(built, deck, tmp_path):
    not_pdf = tmp_path / "talk.pdf"
    not_pdf.write_text("# not a PDF\n", encoding="utf-8")
    run = cli("extract", not_pdf, tmp_path / "out")
    assert run.returncode == 2 and "cannot read" in run.stderr
    run = cli("extract", built(deck).pdf, tmp_path / "out")
    assert run.returncode == 2 and "carries no files" in run.stderr
    assert not (tmp_path / "out").exists()


def test_an_archives_id_comes_from_its_own_bytes():
    """The /ID's first half was carried over from the document the archive was made from: a
    pack's depended on the folder it was built in, so `extract --rebuild` of a pack archive gave
    other bytes in that alone (checked by hand: examples/pack, identical now)."""
    import io
    import secrets

    from handout.editions.archive import save

    def saved() -> bytes:
        pdf = pikepdf.new()
        pdf.add_blank_page()
        pdf.trailer.ID = pikepdf.Array([pikepdf.String(secrets.token_bytes(16))] * 2)
        out = io.BytesIO()
        save(pdf, out, None)
        return out.getvalue()

    assert saved() == saved()
