"""One bounded queue in front of the classifier: concurrent requests are micro-batched, big
batches are cut into pieces, and every request gets its turn (deficit round robin on cost).

Cost of a text ≈ its length plus a fixed per-text overhead (the nlp pass and the encoder both
grow with length). Each round gives every waiting request `QUANTUM` of credit; a request takes
its next texts while its credit covers them. A batch is filled round after round up to
`BATCH_COST`, so twenty clients sending one short text each share one encoder call, while a
request of 256 long texts advances a few texts per round and cannot hold the others back.
The encoder is batch-invariant (models/rowwise_attention.py): a text's answer does not
depend on which other texts share its batch, so mixing requests in a batch is safe.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("otklik.api.scheduler")

TEXT_OVERHEAD = 500  # cost of a text beyond its characters (≈ 10 ms of nlp + encoder)
QUANTUM = 1_000  # credit per waiting request per batch
BATCH_COST = 16_000  # one classifier call (≈ 0.3 s on 2 cores); a longer text goes alone
LINGER_S = 0.02  # a small batch waits this long for more requests (clients answered together
#                 send their next texts together)
LINGER_TEXTS = 32  # … unless this many texts wait already
MAX_PENDING_TEXTS = 4_096  # texts accepted and not yet classified; more → 503 queue_full


class QueueFull(Exception):
    """Too many texts wait already; the caller gets 503 with Retry-After."""


class DeadlineExceeded(Exception):
    """The request's deadline passed before its texts were classified."""


class SchedulerStopped(Exception):
    """The server is shutting down and takes no new work."""


def cost(text: str) -> int:
    return len(text) + TEXT_OVERHEAD


@dataclass(eq=False)
class Job:
    classifier: Any
    texts: Sequence[str]
    deadline: float
    done: Future
    results: list = field(default_factory=list)
    credit: int = 0

    @property
    def left(self) -> int:
        return len(self.texts) - len(self.results)


class BatchScheduler:
    def __init__(self, *, on_batch=None) -> None:
        self._jobs: deque[Job] = deque()
        self._pending = 0
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._on_batch = on_batch  # callback(size: int, seconds: float) for metrics

    # ---------------------------------------------------------------- submitting
    @property
    def pending_texts(self) -> int:
        return self._pending

    def submit(self, classifier, texts: Sequence[str], deadline: float) -> Future:
        """Queue `texts` for `classifier`; the future gets the list of results in order."""
        future: Future = Future()
        if not texts:
            future.set_result([])
            return future
        with self._cond:
            if self._stopping:
                raise SchedulerStopped("the server is shutting down")
            if self._pending + len(texts) > MAX_PENDING_TEXTS and self._pending:
                raise QueueFull(f"{self._pending} texts are waiting already")
            self._jobs.append(Job(classifier, list(texts), deadline, future))
            self._pending += len(texts)
            self._ensure_worker()
            self._cond.notify()
        return future

    async def classify(self, classifier, texts: Sequence[str], deadline: float) -> list:
        """Await the results; a cancelled await (client gone, deadline) drops unstarted work."""
        future = self.submit(classifier, texts, deadline)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            future.cancel()
            raise

    def classify_sync(self, classifier, texts: Sequence[str], deadline: float) -> list:
        return self.submit(classifier, texts, deadline).result()

    # ---------------------------------------------------------------- the worker
    def _ensure_worker(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="otklik-batcher", daemon=True)
            self._thread.start()

    def _drop(self, job: Job, exc: BaseException | None) -> None:
        self._jobs.remove(job)
        self._pending -= job.left
        if exc is not None and not job.done.done():
            job.done.set_exception(exc)

    def _next_batch(self) -> list[tuple[Job, int]]:
        """(job, index of text) pairs for one encoder call; called with the lock held."""
        now = time.monotonic()
        for job in list(self._jobs):
            if job.done.cancelled():
                self._drop(job, None)
            elif job.deadline < now:
                self._drop(job, DeadlineExceeded("the request deadline passed"))
        if not self._jobs:
            return []
        classifier = self._jobs[0].classifier  # one model per batch
        batch: list[tuple[Job, int]] = []
        taken: dict[Job, int] = {}
        credited: set[Job] = set()
        alone = sum(1 for job in self._jobs if job.classifier is classifier) == 1
        spent = 0
        while spent < BATCH_COST:
            progressed = False
            for job in self._jobs:
                if job.classifier is not classifier:
                    continue
                start = len(job.results) + taken.get(job, 0)
                if start >= len(job.texts):
                    continue
                if job not in credited or not batch or alone:  # one round per batch, unless
                    job.credit += QUANTUM  # nothing fits yet or the request is alone
                    credited.add(job)
                while start < len(job.texts):
                    price = cost(job.texts[start])
                    over_budget = spent + price > BATCH_COST and batch
                    if price > job.credit or over_budget:
                        break
                    job.credit -= price
                    spent += price
                    batch.append((job, start))
                    taken[job] = taken.get(job, 0) + 1
                    start += 1
                    progressed = True
                if start >= len(job.texts):
                    job.credit = 0
                if spent >= BATCH_COST:
                    break
            if not progressed and batch:
                break
        served = [job for job in self._jobs if job in taken]  # served ones go to the back
        for job in served:
            self._jobs.remove(job)
            self._jobs.append(job)
        return batch

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._jobs and not self._stopping:
                    self._cond.wait()
                if not self._jobs and self._stopping:
                    return
                until = time.monotonic() + LINGER_S
                while self._pending < LINGER_TEXTS and not self._stopping:
                    left = until - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                batch = self._next_batch()
            if not batch:
                continue
            texts = [job.texts[i] for job, i in batch]
            started = time.perf_counter()
            try:
                results = batch[0][0].classifier.classify(texts)
                error = None
            except Exception as exc:  # isolate: every job of the batch gets the error
                log.error("classification failed: %s", type(exc).__name__)
                results, error = None, exc
            if self._on_batch is not None:
                self._on_batch(len(texts), time.perf_counter() - started)
            with self._cond:
                for position, (job, _) in enumerate(batch):
                    if error is not None:
                        if job in self._jobs:
                            self._drop(job, error)
                        continue
                    if job.done.done():
                        continue
                    job.results.append(results[position])
                    self._pending -= 1
                    if job.left == 0:
                        self._jobs.remove(job)
                        job.done.set_result(job.results)

    # ---------------------------------------------------------------- shutdown
    def stop(self, timeout: float | None = None) -> None:
        """Take no new work, finish what was accepted, then end the worker."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
