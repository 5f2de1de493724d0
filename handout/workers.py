"""Work in forked processes: slides rendered in parallel, each worker keeping its renderer; and a
deck read while the build's own process loads WeasyPrint.

Slide workers are forked after WeasyPrint is imported, so none pays for the import again (spawning
them costs 1.2 s more). A worker keeps one SlideTypesetter per look, with its stylesheets and fonts
parsed once for all the documents it renders. Memory is bounded by the chunk a worker holds
(~100 MiB each), not by the deck. With one job nothing is forked. This module itself does not
load WeasyPrint.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from handout import interrupts
from handout.interrupts import deferred

if TYPE_CHECKING:
    from handout.slides import SlideDocument, SlideLook, SlideTypesetter

T = TypeVar("T")
_TYPESETTERS: dict[SlideLook, SlideTypesetter] = {}


def default_jobs() -> int:
    """As many workers as this process may use cores."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def spare_cores() -> int:
    """Cores this process may use that nothing else is running on at this moment: the runnable
    threads the kernel counts (/proc/loadavg; this one among them) against `default_jobs()`.

    On a machine as busy as its cores, a process more only shares them, and forking it costs
    CPU (a second typesetter, its fonts, the pages it copies): at a load of 8 on 2 cores the
    seed deck took 0.69 s of CPU in one process against 0.80 s in three, and a quarter less
    time. A moment's count: what it chooses between is two ways of making the same PDF."""
    cores = default_jobs()
    try:
        with open("/proc/loadavg", "rb") as loadavg:
            running = int(loadavg.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):  # not Linux: every core is taken as spare
        return cores
    return max(0, cores - max(0, running - 1))


def jobs_asked(value: object) -> int:
    """The --jobs a build was given (0: not given, handout chooses)."""
    try:
        return max(0, int(str(value).strip())) if value not in (None, "") else 0
    except ValueError:
        return 0


WORK_LEFT_S = 60.0
"""How long closing a pool waits for workers finishing their work (imposition's own is done by
then: they only free what they hold and end)."""
BUILD_GC_THRESHOLDS = (200_000, 50, 1000)
"""Python's default (2000, 10, 10) runs a full collection every few hundred thousand objects
WeasyPrint makes; the box trees a chunk leaves are freed before the next chunk is laid out
(slides.SlideTypesetter.typeset). The command runs with these from its start (handout.__main__)."""


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


def typeset_chunk(look: SlideLook, sections: Sequence[tuple[str, str]]) -> SlideDocument:
    """Typeset slides in this process, with the typesetter kept for their look."""
    return _typesetter(look).typeset(sections)


def _typesetter(look: SlideLook) -> SlideTypesetter:
    from handout.slides import SlideTypesetter

    typesetter = _TYPESETTERS.get(look)
    if typesetter is None:
        typesetter = _TYPESETTERS[look] = SlideTypesetter(look)
    return typesetter


def _warm(look: SlideLook) -> None:
    _typesetter(look)


class ForkPool:
    """Forked worker processes, started with the first work given them; closing waits for their
    work, or with `stop` (an interrupt, an error) ends them without it."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._executor: ProcessPoolExecutor | None = None
        self._ending: tuple[Any, list[Any]] | None = None
        """After let_go: the pool's manager thread and its processes, for close() to wait for."""

    def _submit(self, workers: int, calls: Sequence[tuple[Callable[..., T], tuple[Any, ...]]]
                ) -> list[Future[T]]:
        with deferred():  # a signal raised while forking would break the fork's own handlers
            if self._executor is None:
                context = multiprocessing.get_context("fork")
                self._executor = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                                     initializer=interrupts.install_worker,
                                                     initargs=(os.getpid(),))
            futures = [self._executor.submit(function, *args) for function, args in calls]
            interrupts.own(self._processes())
            return futures

    def _processes(self) -> list[Any]:
        return list((getattr(self._executor, "_processes", None) or {}).values())

    def let_go(self) -> None:
        """Tell the workers to end when their work is done, without waiting for them: they end
        (and remove their font folders) while this process goes on; close() waits for them."""
        if self._executor is None:
            return
        with deferred():  # (shutting down takes the pool's locks)
            self._ending = (getattr(self._executor, "_executor_manager_thread", None),
                            self._processes())
            self._executor.shutdown(wait=False)
            self._executor = None

    def close(self, stop: bool = False) -> None:
        """Let the workers go and wait for them; with `stop` (an interrupt, an error) without
        finishing their work."""
        if self._executor is not None:
            self.let_go()
        if self._ending is None:
            return
        manager, processes = self._ending
        self._ending = None
        interrupts.end_processes(processes, stop=stop,
                                 grace=interrupts.GRACE_S if stop else WORK_LEFT_S)
        if manager is not None:
            manager.join(1.0)

    def __enter__(self) -> ForkPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.close(stop=kind is not None)


@contextmanager
def forked(function: Callable[..., T], *args: Any) -> Iterator[Future[T]]:
    """`function(*args)` running in a forked child process while the block runs in this one (its
    result, or its exception, comes back pickled); ended if the block fails."""
    with forked_each(function, [args]) as futures:
        yield futures[0]


@contextmanager
def forked_each(function: Callable[..., T], calls: Sequence[tuple[Any, ...]]
                ) -> Iterator[list[Future[T]]]:
    """`function(*args)` for each of `calls`, one after another in one forked child process,
    while the block runs in this one: each result comes back (pickled) as soon as it is made (a
    pack's parts, read while the command loads WeasyPrint). Ended if the block fails."""
    with ForkPool(1) as pool:
        yield pool._submit(1, [(_owning_nothing_on_failure, (function, *args)) for args in calls])


def _owning_nothing_on_failure(function: Callable[..., T], *args: Any) -> T:
    """A child's result may hand temporary folders to its parent (pictures.cache); a child that
    fails removes those it made, since it ends without Python's exit handlers."""
    try:
        return function(*args)
    except BaseException:
        from handout.pictures.cache import remove_temporary_folders

        remove_temporary_folders()
        raise


class SlidePool(ForkPool):
    """Renders chunks of slides, in worker processes when there is more than one job."""

    def submit(self, look: SlideLook, chunks: list[list[tuple[str, str]]], of: int = 0
               ) -> list[Future[SlideDocument]]:
        """Start typesetting; the caller lays out the page frames meanwhile (so even one chunk goes
        to a worker, unless there is one job). `of`: the chunks given in all, these among them (a
        pack's parts, a look at a time): the pool forked first has workers for them all (a pack
        whose first part was one chunk was typeset by one worker)."""
        if self.jobs == 1 or not chunks:
            return [_Deferred(look, chunk) for chunk in chunks]  # type: ignore[misc]
        return self._submit(min(self.jobs, max(of, len(chunks))),
                            [(typeset_chunk, (look, chunk)) for chunk in chunks])

    def call(self, function: Callable[..., T], *args: Any) -> Future[T]:
        """`function(*args)` in a worker, queued behind the work given before (in this process,
        when its result is asked for, with one job): the page-frame segments of a long deck."""
        if self.jobs == 1:
            return _Called(function, args)
        return self._submit(self.jobs, [(function, args)])[0]

    def start(self, look: SlideLook, chunks: int) -> None:
        """Fork the workers for this many chunks now, each making its typesetter for `look` (its
        stylesheets and fonts, 0.05 s) while this process goes on: a fresh build imports the rest
        of what composing needs meanwhile (pipeline.Build.make)."""
        workers = min(self.jobs, chunks)
        if self.jobs > 1 and workers > 0:
            self._submit(workers, [(_warm, (look,))] * workers)


class _Called(Future):  # type: ignore[type-arg]
    """A call made in this process, when its result is asked for (one job)."""

    def __init__(self, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
        super().__init__()
        self.function, self.args = function, args

    def result(self, timeout: float | None = None) -> Any:
        if not self.done():
            self.set_result(self.function(*self.args))
        return super().result(timeout)


def in_order(futures: Sequence[Future[T]]) -> Iterator[T]:
    """Results in the order the work was given, each as soon as it and those before it are done
    (a signal while waiting is taken between waits, as in as_completed)."""
    for future in futures:
        while not isinstance(future, _Called) and not future.done():
            with deferred():
                wait([future], timeout=0.25)
            interrupts.check()
        yield future.result()


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
    the pool's own locks, it could leave the pool hanging. The futures are taken out of the
    list given (a result is let go once the caller is done with it: 57 MiB at 2,000 slides)."""
    pending = {f for f in futures if not isinstance(f, _Deferred)}
    later = [f for f in futures if isinstance(f, _Deferred)]
    futures.clear()
    while pending:
        with deferred():
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
        interrupts.check()
        for future in done:
            result = future.result()
            if progress:
                progress(len(result.keys))
            yield result
    while later:
        result = later.pop(0).result()
        if progress:
            progress(len(result.keys))
        yield result
