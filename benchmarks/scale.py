"""Beyond one machine: archive scoring on Ray Data, and the store on PostgreSQL at national size.

    .venv/bin/python benchmarks/scale.py ray [--texts 2000]      # --texts 20000: the full figure
    .venv/bin/python benchmarks/scale.py pg [--messages 1000000] [--pg-url URL]
    .venv/bin/python benchmarks/scale.py faq-real [--texts 10000]
    .venv/bin/python benchmarks/scale.py all

ray: the same real texts (../shared/datasets: appeals, reviews, posts; deduplicated, shuffled
with seed 16) scored three ways — a plain loop in this process (`Classifier.classify` over the
same chunks as the archive's parts, torch on every core), `otklik classify-archive --address
local --workers 1` and `--workers 2` (one model per actor, one thread each). texts/s excludes
nothing: Ray's start, the actors' model loading, reading and writing the Parquet parts are all
in the figure — that is what Ray costs on one machine; the steady rate is printed beside it.

pg: a PostgreSQL server from Debian's packages (tests/pg.py: initdb into a temporary folder,
loopback, fsync on) unless --pg-url is given. N pre-classified synthetic messages
(tests/classified_fixtures.py, seed 16, spread over 2026) are written as Parquet parts, as the
archive job writes them, and loaded with `otklik ingest --classified` (COPY); then timed, cold
and warm: the pain map of the last quarter, metrics of the quarter, the FAQ top 10 of the last
month (with the model's e5 encoder) and the monthly report (metrics, pain map, FAQ, charts, HTML);
the FAQ and the report twice: with the grouping computed in each run (kept groupings deleted
before it), and with the grouping kept in the store by an earlier run (insights/faq_results.py).
Before them `otklik faq-prepare` computes the features of the questions the FAQ reads (the last
two months; in service the ingest does it as each question arrives): its rate is printed too.

faq-real: the FAQ grouping alone (features computed first, as the store keeps them) on --texts
real texts of ../shared/datasets against as many of a previous period: thousands of groups,
where the pg part's 240 synthetic wordings make a dozen; with and without the growth count.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from models.settings import settings  # noqa: E402
from training.data import read_jsonl  # noqa: E402

SOURCES = (
    "appeals_kursk_2022/train.jsonl", "appeals_kz_akimat/data.jsonl",
    "sravni_bank_reviews/data.jsonl", "rusentiment/train.jsonl",
    "sentirueval2015_tweets/train.jsonl", "cedr_emotions/train.jsonl",
)  # fmt: skip
LIMIT_S = 5.0


def real_texts(count: int, seed: int = 16) -> list[str]:
    texts: list[str] = []
    for name in SOURCES:
        path = settings().datasets / name
        if not path.exists():
            continue
        for row in read_jsonl(path):  # not splitlines(): U+2028 occurs inside texts
            text = (row.get("text") or "").strip()
            if len(text) >= 20:
                texts.append(text)
    demo = REPO / "datasets" / "demo" / "messages.jsonl"
    texts += [json.loads(line)["text"] for line in demo.read_text(encoding="utf-8").splitlines()]
    texts = list(dict.fromkeys(texts))
    random.Random(seed).shuffle(texts)
    if len(texts) < count:
        raise SystemExit(f"only {len(texts)} distinct texts found (OTKLIK_DATASETS?)")
    return texts[:count]


def bench_ray(count: int) -> dict:
    from api.cli_support import load_classifier

    texts = real_texts(count)
    work = Path(tempfile.mkdtemp(prefix="otklik-scale-"))
    source = work / "texts.jsonl"
    source.write_text(
        "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                for i, t in enumerate(texts)),  # fmt: skip
        encoding="utf-8",
    )
    out: dict = {"texts": count}

    part_rows = max(50, count // 20)
    classifier = load_classifier(None)
    classifier.classify(texts[:8])  # warm-up outside the timing
    started = time.perf_counter()
    for i in range(0, count, part_rows):  # the same chunks as the archive's parts
        classifier.classify(texts[i : i + part_rows])
    elapsed = time.perf_counter() - started
    out["plain_loop"] = {"seconds": round(elapsed, 1), "texts_per_s": round(count / elapsed, 1)}
    rate = count / elapsed
    print(f"plain loop: {count} texts in {elapsed:.1f} s, {rate:.1f} texts/s", flush=True)
    del classifier

    for workers in (1, 2):
        target = work / f"out-{workers}"
        command = [
            sys.executable, "-m", "api.cli", "classify-archive", str(source), "-o", str(target),
            "--workers", str(workers), "--part-rows", str(part_rows),
        ]  # fmt: skip
        started = time.perf_counter()
        finished: list[float] = []
        process = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True)  # fmt: skip
        for line in process.stderr:
            if "готова" in line:
                finished.append(time.perf_counter() - started)
        process.wait()
        elapsed = time.perf_counter() - started
        if process.returncode != 0:
            raise SystemExit(f"classify-archive failed: {process.stdout.read()}")
        # steady rate: the parts after the first one per actor (model loading left out)
        skip = min(workers, len(finished) - 1)
        steady = (len(finished) - skip) * part_rows / (finished[-1] - finished[skip - 1])
        out[f"ray_{workers}"] = {
            "seconds": round(elapsed, 1),
            "texts_per_s": round(count / elapsed, 1),
            "steady_texts_per_s": round(steady, 1),
        }
        print(f"ray, {workers} worker(s): {count} texts in {elapsed:.1f} s,"
              f" {count / elapsed:.1f} texts/s (steady {steady:.1f})", flush=True)  # fmt: skip
    one, two = out["ray_1"], out["ray_2"]
    out["ratio_2_vs_1"] = round(two["texts_per_s"] / one["texts_per_s"], 2)
    out["steady_ratio_2_vs_1"] = round(two["steady_texts_per_s"] / one["steady_texts_per_s"], 2)
    out["ray_2_vs_plain"] = round(two["texts_per_s"] / out["plain_loop"]["texts_per_s"], 2)
    print(f"2 workers / 1 worker: {out['ratio_2_vs_1']} (steady {out['steady_ratio_2_vs_1']});"
          f" 2 workers / plain loop: {out['ray_2_vs_plain']}")  # fmt: skip
    return out


def _timed(label: str, fn, runs: int, before=None) -> dict:
    """`before`: run ahead of each timed call, untimed."""
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    result = {"cold_s": round(times[0], 2), "warm_s": round(statistics.median(times[1:]), 2)
              if len(times) > 1 else None}  # fmt: skip
    worst = max(times)
    verdict = "ok" if worst <= LIMIT_S else f"OVER {LIMIT_S:.0f} s"
    print(f"{label}: cold {times[0]:.2f} s, warm {result['warm_s']} s  [{verdict}]", flush=True)
    return result


def bench_pg(messages: int, url: str | None, runs: int) -> dict:
    from sqlalchemy import delete, func, select, text

    from api.cli_support import load_classifier
    from insights.bulk_ingest import ingest_classified, read_classified
    from insights.faq import lemma_string
    from insights.faq_features import prepare
    from insights.faq_results import FaqResult
    from insights.faq_store import build_faq
    from insights.labels import Names
    from insights.metrics import build_metrics
    from insights.painmap import build_painmap
    from insights.periods import make_period
    from insights.report import build_report
    from insights.report_render import to_html
    from insights.store import Message, Store
    from tests.classified_fixtures import write_parquet_parts
    from tests.pg import PostgresServer

    folder = settings().home / "bench" / f"classified-{messages}-seed16-v3"
    if not (folder / "done").exists():
        started = time.perf_counter()
        write_parquet_parts(folder, messages)
        (folder / "done").write_text("")
        print(f"generated {messages} rows in {time.perf_counter() - started:.0f} s", flush=True)
    server = None
    if url is None:
        server = PostgresServer().start()
        url = server.create_database("otklik_bench")
    out: dict = {"messages": messages}
    try:
        store = Store(url)
        with store.session() as session:
            have = session.scalar(select(func.count()).select_from(Message))
        if have and have != messages:
            raise SystemExit(f"{url} holds {have} messages, not {messages}")
        if not have:
            started = time.perf_counter()
            stored = 0
            for path in sorted(folder.glob("*.parquet")):
                stored += ingest_classified(store, read_classified(path)).stored
            elapsed = time.perf_counter() - started
            out["ingest"] = {"messages": stored, "seconds": round(elapsed, 1),
                             "per_s": round(stored / elapsed)}  # fmt: skip
            print(f"ingest --classified: {stored} in {elapsed:.0f} s,"
                  f" {stored / elapsed:.0f} messages/s", flush=True)  # fmt: skip
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
        names = Names()
        quarter = make_period("2026-10-01", "2026-12-31")
        month = make_period("2026-12-01", "2026-12-31")
        encoder = load_classifier(None).encoder  # the API's FAQ uses the model's encoder
        encoder.encode(["проба"])  # the model loaded, as in a running service
        lemma_string("проба")  # … and the lemmatizer
        window = Message.received_at >= month.previous().start  # what the FAQ reads
        started = time.perf_counter()
        prepared = prepare(store, encoder, window)
        elapsed = time.perf_counter() - started
        out["faq_prepare"] = {"questions": prepared, "seconds": round(elapsed, 1),
                              "per_s": round(prepared / max(elapsed, 1e-9), 1)}  # fmt: skip
        print(f"faq-prepare --from {month.previous().start:%Y-%m-%d}: {prepared} questions in"
              f" {elapsed:.0f} s ({prepared / max(elapsed, 1e-9):.0f}/s; once, as they arrive)",
              flush=True)  # fmt: skip
        out["painmap_quarter"] = _timed(
            "pain map, last quarter", lambda: build_painmap(store, quarter, names=names), runs
        )
        out["metrics_quarter"] = _timed(
            "metrics, last quarter", lambda: build_metrics(store, quarter, names=names), runs
        )
        faq = {}

        def forget_groupings() -> None:  # the grouping computed in every timed run
            with store.session.begin() as session:
                session.execute(delete(FaqResult))

        out["faq_top10_month"] = _timed(
            "FAQ top 10, last month (grouping computed)",
            lambda: faq.update(build_faq(store, encoder, month, top=10)), runs, forget_groupings,
        )  # fmt: skip
        out["faq_questions"] = faq.get("questions")
        out["faq_top10_month_kept"] = _timed(
            "FAQ top 10, last month (grouping kept from an earlier run)",
            lambda: build_faq(store, encoder, month, top=10), runs,
        )  # fmt: skip
        out["report_month"] = _timed(
            "monthly report, HTML (FAQ grouping computed)",
            lambda: to_html(build_report(store, month, encoder=encoder, names=names)), runs,
            forget_groupings,
        )  # fmt: skip
        build_faq(store, encoder, month)  # what `otklik faq-prepare --months` does per month
        out["report_month_kept"] = _timed(
            "monthly report, HTML (FAQ grouping kept: faq-prepare --months, or an earlier FAQ)",
            lambda: to_html(build_report(store, month, encoder=encoder, names=names)), runs,
        )  # fmt: skip
    finally:
        if server is not None:
            server.stop()
    return out


def bench_faq_real(count: int, runs: int) -> dict:
    """The FAQ grouping alone on real texts (`count` current, `count` previous): thousands of
    groups, unlike the synthetic questions of the pg part."""
    from api.cli_support import load_classifier
    from insights.faq import FaqQuestion, group_questions
    from insights.faq_features import Known
    from insights.faq_text import content_text

    texts = real_texts(2 * count)
    encoder = load_classifier(None).encoder
    known = Known(encoder)  # the features the store would hold
    contents = [content_text(t) for t in texts]
    started = time.perf_counter()
    known.encode(contents)
    known.char_counts(contents)
    for text in contents:
        known.lemma_string(text)
    print(f"features of {len(texts)} texts: {time.perf_counter() - started:.0f} s", flush=True)
    questions = [FaqQuestion(str(i), t, None, content=c) for i, (t, c) in
                 enumerate(zip(texts, contents, strict=True))]  # fmt: skip
    current, previous = questions[:count], questions[count:]
    groups = []
    out = {"texts": count}
    out["with_previous"] = _timed(
        f"FAQ grouping of {count} real texts against {count} of the previous period",
        lambda: groups.append(len(group_questions(current, encoder=encoder, previous=previous,
                                                  features=known))), runs,
    )  # fmt: skip
    out["groups"] = groups[-1]
    out["without_previous"] = _timed(
        "… the same without the previous period (no growth)",
        lambda: group_questions(current, encoder=encoder, features=known), runs,
    )  # fmt: skip
    print(f"groups: {groups[-1]}", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("part", choices=("ray", "pg", "faq-real", "all"))
    parser.add_argument("--texts", type=int, default=2000,
                        help="texts for the Ray part; per period for faq-real")  # fmt: skip
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--pg-url", default=None, help="an existing database instead")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    figures = {}
    if args.part in ("ray", "all"):
        figures["ray"] = bench_ray(args.texts)
    if args.part in ("pg", "all"):
        figures["pg"] = bench_pg(args.messages, args.pg_url, args.runs)
    if args.part in ("faq-real", "all"):
        figures["faq_real"] = bench_faq_real(args.texts, args.runs)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
