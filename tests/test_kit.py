"""The test kit itself: its readers see what is there and tell pages apart, its command runner
keeps the streams apart, its build cache builds once, and no build reaches the user's cache.

A reader that cannot tell one page from another would let many other tests pass without looking.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kit import (
    Built,
    cli,
    images,
    links,
    metadata,
    outline,
    pdf_text,
    size,
    text_runs,
    texts,
    uris,
    write_deck,
    write_jpeg,
)

KIT_DECK = """\
# Kit talk

!SLIDE
# First photo
}}} one.jpg::Ann::flickr::https://example.org/one

!SLIDE left
# Second slide

![two](two.jpg)

Go to [the first](#slide-1) or [away](https://example.org/away).
"""


@pytest.fixture(scope="module")
def kit_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kit")
    write_jpeg(folder / "one.jpg", (640, 480), seed=1)
    write_jpeg(folder / "two.jpg", (320, 200), seed=2)
    return write_deck(folder, KIT_DECK)


@pytest.fixture(scope="module")
def one_up(built, kit_deck: Path) -> Built:
    """Slide 1 on page 1, slide 2 on page 2, the Image credits after them."""
    return built(kit_deck, per_page=1)


def test_images_are_told_apart_by_page(one_up):
    first, second = images(one_up, 0), images(one_up, 1)
    assert [size(x) for x in first.values()] == [(640, 480)]
    assert [size(x) for x in second.values()] == [(320, 200)]
    assert set(first) | set(second) <= set(images(one_up))


def test_text_runs_are_on_their_page(one_up):
    assert [run for run in text_runs(one_up, 0) if run.text == "First photo"]
    assert not [run for run in text_runs(one_up, 1) if run.text == "First photo"]
    assert "Second slide" in texts(one_up)[1] and "Second slide" not in texts(one_up)[0]
    assert "First photo" in pdf_text(one_up) and "Second slide" in pdf_text(one_up)


def test_links_lead_to_their_page_or_address(one_up):
    assert uris(one_up, 0) == ["https://example.org/one"]
    assert set(uris(one_up, 1)) == {"https://example.org/away"}
    assert [link.page for link in links(one_up, 1) if link.uri is None] == [0]
    assert set(uris(one_up)) >= {"https://example.org/one", "https://example.org/away"}


def test_outline_and_metadata(one_up):
    entries = outline(one_up)
    assert [(e.depth, e.title, e.page) for e in entries[:3]] == [
        (0, "Kit talk", 0), (1, "First photo", 0), (1, "Second slide", 1)]
    assert metadata(one_up)["Title"] == "Kit talk"


def test_the_build_cache_builds_once_and_compares_options_as_text(built, kit_deck, one_up):
    assert built(kit_deck, per_page="1") is one_up
    assert built(kit_deck, per_page=2) is not one_up


def test_cli_keeps_stdout_and_stderr_apart(tmp_path):
    deck = write_deck(tmp_path / "talk", "# T\n!SLIDE bad!class\n# One\n")
    run = cli("build", deck, "-o", tmp_path / "t.pdf")
    assert run.returncode == 0, run.output
    assert run.stdout.startswith("wrote ") and "bad-class" not in run.stdout
    assert run.stderr.startswith("warning[bad-class]")
    assert run.output == run.stdout + run.stderr


def test_cli_runs_in_the_folder_it_is_given(tmp_path):
    write_deck(tmp_path / "here", "# T\n!SLIDE\n# One\n")
    run = cli("build", "deck.md", cwd=tmp_path / "here")
    assert run.returncode == 0, run.output
    assert (tmp_path / "here" / "out" / "deck.pdf").is_file()
    assert Path.cwd() != tmp_path / "here"


def test_no_build_reaches_the_users_cache(one_up, tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    cache = Path(os.environ["HANDOUT_CACHE"])
    assert cache.is_relative_to(base) and Path(os.environ["XDG_CACHE_HOME"]).is_relative_to(base)
    assert list(cache.iterdir()), "the session's builds prepared their pictures here"
