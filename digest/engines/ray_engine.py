"""The Ray engine: reading, embedding and briefs on a Ray cluster (`[engine] kind = "ray"`).

Files are read and cleaned by plain Ray tasks, a batch of files each. The models live in a pool
of actors (`ModelWorker`), each loading the embedder and the summarizer once, on first use;
embedding chunks and stories are handed to whichever actor is free, one at a time, and each
result goes back to the driver as it is finished, where it is committed.

Why a pool of our own over `ray.wait` rather than `ray.util.ActorPool` or Ray Data's
`map_batches`: the driver must know which story a finished (or failed) call was for, to commit
it or give it to another actor; ActorPool's `get_next_unordered` returns the value alone and
raises a dead actor's error without saying which input it held, and Ray Data would put a
streaming executor between the driver and the store for a few hundred stories. A call whose
actor died (its process killed, its node gone) is given to another actor; an actor is replaced
while the cluster has room for one. Nothing here imports unless the engine is ray.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import ray
from ray import exceptions as rex

from ..config import Config
from ..errors import DigestError, EngineError, InputError
from ..records import Article, Brief
from . import BriefJob, ParseJob, for_worker, make_writer, parse_file, write_batch

log = logging.getLogger(__name__)

PARSE_BATCH = 8  # files read by one task
PARSE_AHEAD = 4  # parse tasks in flight per CPU of the cluster
MAX_ATTEMPTS = 4  # a call given to this many actors that all died fails the run
START_SECONDS = 120  # a replacement actor that cannot start within this long fails the run
_END = object()
# what a worker's death looks like to the driver; an error in our own code is not among them
DIED = (rex.RayActorError, rex.WorkerCrashedError, rex.NodeDiedError, rex.ObjectLostError)


class ModelWorker:
    """One actor: the embedder and the writer (with its summarizer), each loaded once."""

    def __init__(self, config: Config, cpus: float):
        threads = max(1, round(cpus))  # the CPUs it reserved, unless the config names a number
        s, e = config.summarizer, config.embedder
        self.config = dataclasses.replace(
            config,
            summarizer=dataclasses.replace(s, threads=s.threads or threads),
            embedder=dataclasses.replace(e, threads=e.threads or threads),
        )
        self._embedder: Any = None
        self._writer: Any = None

    def _embedding(self) -> Any:
        if self._embedder is None:
            from ..embed import make_embedder

            self._embedder = make_embedder(self.config.embedder, self.config.paths.models)
        return self._embedder

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._embedding().embed(texts)

    def briefs(self, jobs: list[BriefJob]) -> list[Brief]:
        if self._writer is None:
            from ..generate import make_generator

            s = self.config.summarizer
            generator = make_generator(
                s.backend, s.model, self.config.paths.models, s.device, s.threads, s.batch_size
            )
            self._writer = make_writer(self.config, self._embedding(), generator)
        return write_batch(self._writer, jobs, self.config.summarizer.batch_size > 1)

    def pid(self) -> int:
        return os.getpid()


def _parse_batch(jobs: list[ParseJob]) -> list[list[Article] | InputError]:
    return [parse_file(job) for job in jobs]


class RayEngine:
    def __init__(self, config: Config):
        self.config = config
        self.settings = config.engine
        self._started = connect(self.settings.address, self.settings.connect_seconds)
        self._parse = ray.remote(num_cpus=0, max_retries=MAX_ATTEMPTS)(_parse_batch)
        cpus, gpus = self.settings.worker_cpus, self.settings.worker_gpus
        self._cls = ray.remote(num_cpus=cpus, num_gpus=gpus, max_restarts=0)(ModelWorker)
        self._actors: list[Any] = []
        log.info("Engine - Ray at %s: %s", self.settings.address, ray.cluster_resources())

    # reading ---------------------------------------------------------------------------
    def parse(
        self, jobs: Iterable[ParseJob]
    ) -> Iterator[tuple[ParseJob, list[Article] | InputError]]:
        ahead = PARSE_AHEAD * max(1, int(ray.cluster_resources().get("CPU", 1)))
        flight: deque[tuple[list[ParseJob], Any]] = deque()
        batch: list[ParseJob] = []
        for job in jobs:
            batch.append(job)
            if len(batch) == PARSE_BATCH:
                flight.append((batch, self._parse.remote([for_worker(j) for j in batch])))
                batch = []
            while len(flight) >= ahead:
                yield from self._parsed(*flight.popleft())
        if batch:
            flight.append((batch, self._parse.remote([for_worker(j) for j in batch])))
        while flight:  # in order: which of two copies is the original depends on it
            yield from self._parsed(*flight.popleft())

    def _parsed(self, batch: list[ParseJob], ref: Any) -> Iterator[tuple[ParseJob, Any]]:
        try:
            results = _get(ref)  # Ray ran it again where a worker died, MAX_ATTEMPTS times
        except DIED as e:
            raise EngineError(f"Ray workers died {MAX_ATTEMPTS} times reading files: {e}") from None
        yield from zip(batch, results, strict=True)

    # models ----------------------------------------------------------------------------
    def embed(self, chunks: Iterable[list[str]]) -> Iterator[np.ndarray]:
        items = list(enumerate(chunks))
        done = {i: v for (i, _), v in self._on_actors("embed", items, lambda item: item[1])}
        for i, _ in items:
            yield done[i]

    def briefs(self, jobs: Iterable[BriefJob]) -> Iterator[tuple[BriefJob, Brief]]:
        def held(job: BriefJob) -> bool:
            return job.done is not None

        for job, briefs in self._on_actors("briefs", jobs, lambda j: [for_worker(j)], held):
            yield job, briefs[0] if briefs is not None else job.done

    def _on_actors(
        self, method: str, items: Iterable[Any], payload: Any, skip: Any = None
    ) -> Iterator[tuple[Any, Any]]:
        """(item, result) as each call finishes, (item, None) for an item `skip` says needs no
        call; a call whose actor died goes to another actor."""
        source = iter(items)
        pending: deque[tuple[Any, int]] = deque()  # (item, attempt)
        flight: dict[Any, tuple[Any, Any, int]] = {}  # ref -> (actor, item, attempt)
        starting: dict[Any, Any] = {}  # ref of a replacement's first call -> the replacement
        idle: list[Any] | None = None  # the pool is made when the first call needs it
        exhausted = False
        while True:
            while True:  # give work to every idle actor
                if not pending:
                    item = next(source, _END) if not exhausted else _END
                    if item is _END:
                        exhausted = True
                        break
                    if skip is not None and skip(item):
                        yield item, None
                        continue
                    pending.append((item, 1))
                if idle is None:
                    idle = self._pool()
                if not idle:
                    break
                item, attempt = pending.popleft()
                actor = idle.pop()
                flight[getattr(actor, method).remote(payload(item))] = (actor, item, attempt)
            if not flight and not pending:
                return
            if not flight and not starting:
                raise EngineError("every Ray worker died and the cluster has no room for another")
            timeout = None if flight else START_SECONDS
            ready, _ = ray.wait([*flight, *starting], num_returns=1, timeout=timeout)
            if not ready:
                raise EngineError(f"no Ray worker could start within {START_SECONDS} s")
            ref = ready[0]
            if ref in starting:  # a replacement is up (or could not start)
                fresh = starting.pop(ref)
                try:
                    ray.get(ref)
                    assert idle is not None
                    idle.append(fresh)
                except DIED:
                    self._actors.remove(fresh)
                continue
            actor, item, attempt = flight.pop(ref)
            try:
                result = _get(ref)
            except DIED as e:
                if attempt >= MAX_ATTEMPTS:
                    raise EngineError(
                        f"Ray workers died {attempt} times on the same work: {e}"
                    ) from None
                log.warning(
                    "Engine - a Ray worker died (%s); another takes its work", type(e).__name__
                )
                pending.append((item, attempt + 1))
                fresh = self._replace(actor)
                if fresh is not None:
                    starting[fresh.pid.remote()] = fresh
                continue
            assert idle is not None
            idle.append(actor)
            yield item, result

    def _pool(self) -> list[Any]:
        if not self._actors:
            n = self.settings.workers or self._room(ray.cluster_resources())
            self._actors = [
                self._cls.remote(self.config, self.settings.worker_cpus) for _ in range(max(1, n))
            ]
            log.info("Engine - %d model workers", len(self._actors))
        return list(self._actors)

    def _room(self, free: dict[str, float]) -> int:
        """Actors that fit in `free` resources."""
        n = int(free.get("CPU", 0) // self.settings.worker_cpus + 1e-9)
        if self.settings.worker_gpus:
            n = min(n, int(free.get("GPU", 0) // self.settings.worker_gpus + 1e-9))
        return n

    def _replace(self, dead: Any) -> Any:
        """A new actor in place of a dead one, while the cluster has room for it (not when its
        node is gone); it takes work once it answers."""
        self._actors.remove(dead)
        ray.kill(dead, no_restart=True)
        if self._room(ray.available_resources()) < 1:
            return None
        fresh = self._cls.remote(self.config, self.settings.worker_cpus)
        self._actors.append(fresh)
        return fresh

    def close(self) -> None:
        for actor in self._actors:
            ray.kill(actor, no_restart=True)
        if self._actors:
            log.info("Engine - stopped %d model worker(s)", len(self._actors))
        self._actors = []
        if self._started:
            ray.shutdown()


def _get(ref: Any) -> Any:
    """A call's result; our own error inside a worker is raised as itself."""
    try:
        return ray.get(ref)
    except rex.RayTaskError as e:
        if isinstance(e.cause, DigestError):
            raise e.cause from None
        raise


def connect(address: str, timeout: float) -> bool:
    """Join (or, for "local", start) Ray; True when this process started it. A head that cannot
    be reached is an EngineError within `timeout` seconds."""
    if ray.is_initialized():
        return False
    quiet: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.WARNING}
    if address == "local":
        ray.init(include_dashboard=False, **quiet)
        return True
    if address != "auto" and not address.startswith("ray://"):
        _reachable(address, timeout)
    # Ray's core logs every retry on an address that answers but is no Ray head to stderr,
    # below Python: held back while it connects, and shown with -v only if it fails
    saved, held = os.dup(2), tempfile.TemporaryFile()
    os.dup2(held.fileno(), 2)
    try:
        ray.init(address=address, **quiet)
    except (ConnectionError, RuntimeError, ValueError) as e:
        os.dup2(saved, 2)
        held.seek(0)
        log.debug("Engine - Ray said:\n%s", held.read().decode(errors="replace"))
        raise EngineError(
            f"cannot join the Ray cluster at {address}: {e} (is it a Ray head? "
            "`ray status --address ADDR` on it says)"
        ) from None
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        held.close()
    return True


def _reachable(address: str, timeout: float) -> None:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise EngineError(
            f'[engine] address must be "local", "auto" or host:port of a Ray head, got {address!r}'
        )
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as e:
        why = "timed out" if isinstance(e, TimeoutError) else (e.strerror or str(e))
        raise EngineError(
            f"cannot reach the Ray head at {address} ({why} after at most {timeout:g} s): "
            "start it with `ray start --head`, or check --ray-address"
        ) from None
