"""One bounded queue in front of the classifier: concurrent requests are micro-batched, big
batches are cut into pieces, and every request gets its turn (deficit round robin on cost).

Cost of a text ≈ its length plus a fixed per-text overhead (the nlp pass and the encoder both
grow with length). A new request starts with `START_CREDIT` (enough for a short request) and
every waiting request gains `ACCRUAL` of each unit of cost the classifier serves; a request
takes its next texts while its credit covers them, up to `BATCH_COST` per classifier call. So
twenty clients sending one short text each share one call and go first, while a request of
256 long texts advances steadily (a tenth of the work served to others, or all of it when
alone) and cannot hold the others back.
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
START_CREDIT = 4_000  # a new request's credit: a short request goes at once
ACCRUAL = 0.1  # credit a waiting request gains per unit of cost served to anyone
QUIET_S = 0.1  # while small requests came or were answered this recently, a big one gets
#               only its credit
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
    credit: float = START_CREDIT
    mark: float = 0.0  # the scheduler's served cost when the credit was last brought up
    small: bool = False  # the whole request costs at most one batch

    @property
    def left(self) -> int:
        return len(self.texts) - len(self.results)


class BatchScheduler:
    def __init__(self, *, on_batch=None) -> None:
        self._jobs: deque[Job] = deque()
        self._pending = 0
        self._served = 0.0  # cost of every text sent to the classifier so far
        self._small_seen = -1e9  # when a small request (≤ BATCH_COST in all) last came
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
            small = sum(cost(t) for t in texts) <= BATCH_COST
            self._jobs.append(
                Job(classifier, list(texts), deadline, future, mark=self._served, small=small)
            )
            if small:
                self._small_seen = time.monotonic()
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
        """(job, index of text) pairs for one classifier call; called with the lock held."""
        now = time.monotonic()
        for job in list(self._jobs):
            if job.done.cancelled():
                self._drop(job, None)
            elif job.deadline < now:
                self._drop(job, DeadlineExceeded("the request deadline passed"))
        if not self._jobs:
            return []
        classifier = self._jobs[0].classifier  # one model per batch
        jobs = [job for job in self._jobs if job.classifier is classifier]
        for job in jobs:  # credit grows with the work served to everyone since the last look
            job.credit += ACCRUAL * (self._served - job.mark)
            job.mark = self._served
        # small requests come and go between batches (their clients are reading the answer):
        # while they are about, a big request is not "alone" and gets only its credit
        quiet = now - self._small_seen > QUIET_S
        alone = len(jobs) == 1 and quiet
        batch: list[tuple[Job, int]] = []
        spent = 0
        for job in jobs:
            index = len(job.results)
            while index < len(job.texts):
                price = cost(job.texts[index])
                if batch and spent + price > BATCH_COST:
                    break
                if not alone and price > job.credit:
                    break
                job.credit -= 0 if alone else price
                spent += price
                batch.append((job, index))
                index += 1
            if spent >= BATCH_COST:
                break
        if not batch and not quiet:
            return []  # the worker waits a moment for the small requests
        if not batch:  # nobody's credit covers a text yet: the richest request goes first
            job = max(jobs, key=lambda j: j.credit)
            index = len(job.results)
            job.credit -= cost(job.texts[index])
            spent = cost(job.texts[index])
            batch.append((job, index))
        self._served += spent
        served = {id(job) for job, _ in batch}
        for job in [j for j in self._jobs if id(j) in served]:  # served ones go to the back
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
                with self._cond:
                    self._cond.wait(0.01)
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
                        if job.small:  # its client is likely to send the next one at once
                            self._small_seen = time.monotonic()

    # ---------------------------------------------------------------- shutdown
    def stop(self, timeout: float | None = None) -> None:
        """Take no new work, finish what was accepted, then end the worker."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
