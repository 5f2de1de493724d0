"""Slides rendered in parallel: a pool of forked worker processes, each keeping its renderer.

Workers are forked after WeasyPrint is imported, so none pays for the import again (spawning
them costs 1.2 s more). A worker keeps one SlideTypesetter per look, with its stylesheets and fonts
parsed once for all the documents it renders. Memory is bounded by the chunk a worker holds
(~100 MiB each), not by the deck. With one job, or one chunk, nothing is forked.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager

from handout.output import deferred
from handout.slides import SlideDocument, SlideLook, SlideTypesetter

_TYPESETTERS: dict[SlideLook, SlideTypesetter] = {}


def default_jobs() -> int:
    """As many workers as this process may use cores."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


BUILD_GC_THRESHOLDS = (200_000, 50, 1000)
"""Python's default (2000, 10, 10) runs a full collection every few hundred thousand objects
WeasyPrint makes; the box trees it leaves are freed when each chunk ends (slides._chunk)."""


@contextmanager
def build_collector() -> Iterator[None]:
    """Python's cyclic garbage collector set for a build: 9% of a 500-slide build's time.

    What is alive when the build starts (modules, WeasyPrint's tables, the deck) is frozen: it
    outlives the build, and no collection here or in a worker forked meanwhile walks it again
    (a forked worker also keeps sharing those pages with this process). Collections run less
    often. Both are undone at the end, for a program that calls handout.build()."""
    if gc.get_freeze_count():  # a build inside a build (a pack's parts) keeps the outer one's
        yield
        return
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*BUILD_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _quiet_signals() -> None:
    """A worker leaves signals to the build's own process, which stops it when it must: Ctrl-C
    (sent to the whole process group) is ignored here, SIGTERM and SIGHUP end it quietly, leaving
    no font folder behind."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            signal.signal(signum, _end_quietly)


def _end_quietly(signum: int, _frame: object) -> None:
    from handout.theme import remove_font_folders

    remove_font_folders()
    os._exit(128 + signum)


def typeset_chunk(look: SlideLook, sections: Sequence[tuple[str, str]]) -> SlideDocument:
    """Typeset slides in this process, with the typesetter kept for their look."""
    typesetter = _TYPESETTERS.get(look)
    if typesetter is None:
        typesetter = _TYPESETTERS[look] = SlideTypesetter(look)
    return typesetter.typeset(sections)


class SlidePool:
    """Renders chunks of slides, in worker processes when there is more than one job."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._executor: ProcessPoolExecutor | None = None

    def submit(self, look: SlideLook, chunks: list[list[tuple[str, str]]]) -> list[Future[SlideDocument]]:
        """Start typesetting; the caller lays out the page frames meanwhile (so even one chunk goes
        to a worker, unless there is one job)."""
        if self.jobs == 1 or not chunks:
            return [_Deferred(look, chunk) for chunk in chunks]  # type: ignore[misc]
        with deferred():  # a signal raised while forking would break the fork's own handlers
            if self._executor is None:
                context = multiprocessing.get_context("fork")
                self._executor = ProcessPoolExecutor(max_workers=min(self.jobs, len(chunks)),
                                                     mp_context=context, initializer=_quiet_signals)
            return [self._executor.submit(typeset_chunk, look, chunk) for chunk in chunks]

    def close(self, stop: bool = False) -> None:
        """Let the workers go; with `stop` (an interrupt, an error) without finishing their work."""
        if self._executor is None:
            return
        processes = list(getattr(self._executor, "_processes", {}).values())
        self._executor.shutdown(wait=not stop, cancel_futures=True)
        if stop:
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(5)
        self._executor = None

    def __enter__(self) -> SlidePool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.close(stop=kind is not None)


class _Deferred(Future):  # type: ignore[type-arg]
    """A chunk rendered in this process, when its result is asked for (one job, or one chunk)."""

    def __init__(self, look: SlideLook, chunk: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.look, self.chunk = look, chunk

    def result(self, timeout: float | None = None) -> SlideDocument:
        if not self.done():
            self.set_result(typeset_chunk(self.look, self.chunk))
        return super().result(timeout)


def as_completed(futures: list[Future[SlideDocument]],
                 progress: Callable[[int], None] | None = None) -> Iterator[SlideDocument]:
    """Results as workers finish them (deferred ones last, in order), reporting each chunk done.

    A signal while waiting is recorded and raised between waits (output.deferred): raised inside
    the pool's own locks, it could leave the pool hanging."""
    pending = {f for f in futures if not isinstance(f, _Deferred)}
    while pending:
        with deferred():
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
        for future in done:
            result = future.result()
            if progress:
                progress(len(result.keys))
            yield result
    for future in futures:
        if isinstance(future, _Deferred):
            result = future.result()
            if progress:
                progress(len(result.keys))
            yield result
