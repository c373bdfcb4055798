"""FAQ candidates (insights.faq): grouping, KB match, growth and campaigns, per-region tops,
the file front end, and quality floors on the real RUTUBE questions when they are present."""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from collections import Counter

import numpy as np
import pytest

from insights.faq import (
    DEFAULT_PARAMS,
    FaqCluster,
    FaqParams,
    FaqQuestion,
    KbEntry,
    faq_file,
    group_questions,
    read_kb,
    top_by_region,
)
from insights.faq_cluster import average_linkage
from insights.faq_text import content_text, lemma_tokens
from models.constants import REPO
from models.settings import settings

FAQ_RUTUBE = settings().datasets / "faq_rutube"

# ----------------------------------------------------------------- a synthetic stream

SUBSIDY = [  # grows 50%: 8 -> 12
    "Как оформить субсидию на оплату коммунальных услуг?",
    "Какие документы нужны для субсидии на оплату ЖКУ?",
    "Куда подать заявление на субсидию за коммунальные услуги?",
    "Положена ли мне субсидия на оплату жилищно-коммунальных услуг?",
    "Как получить субсидию на коммуналку?",
    "Где оформляют субсидию на оплату ЖКХ?",
]
PASSPORT = [  # grows 10%: 10 -> 11
    "Как заменить паспорт в 45 лет?",
    "Какие документы нужны для замены паспорта при достижении 45 лет?",
    "Где поменять паспорт по возрасту в 45 лет?",
    "Сколько стоит замена паспорта в 45 лет?",
    "Куда обращаться для замены паспорта в 45 лет?",
]
SCHOOL = [  # no KB entry covers it
    "Когда начинается запись ребёнка в первый класс?",
    "Как записать ребёнка в первый класс через Госуслуги?",
    "С какого числа принимают заявления в первый класс?",
    "Какие документы нужны для записи ребёнка в первый класс?",
]
UNRELATED = [
    "Почему в городском парке не работают фонтаны?",
    "Как получить охотничий билет?",
    "Где посмотреть расписание электричек до Твери?",
]
KB = [
    KbEntry("kb-subsidy", "Как оформить субсидию на оплату жилищно-коммунальных услуг?"),
    KbEntry("kb-passport", "Как заменить паспорт при достижении 45 лет?"),
    KbEntry("kb-tax", "Как получить налоговый вычет за лечение?"),
]
POLITE = ["", "Здравствуйте! ", "Добрый день, подскажите, пожалуйста: ", "Подскажите "]


def _stream() -> tuple[list[FaqQuestion], list[FaqQuestion], dict[str, str]]:
    """Current and previous questions, and the planted group of every current id."""
    rng = random.Random(7)
    current: list[FaqQuestion] = []
    previous: list[FaqQuestion] = []
    group_of: dict[str, str] = {}

    def add(out, group, pool, regions, period):
        for region in regions:
            text = rng.choice(POLITE) + rng.choice(pool)
            qid = f"{period[0]}{len(out) + 1:03d}"
            out.append(FaqQuestion(qid, text, region, period))
            if period == "current":
                group_of[qid] = group

    add(current, "subsidy", SUBSIDY, ["Курская область"] * 9 + ["Москва"] * 3, "current")
    add(current, "passport", PASSPORT, ["Москва"] * 9 + ["Курская область"] * 2, "current")
    add(current, "school", SCHOOL, ["Тверская область"] * 5, "current")
    for i, text in enumerate(UNRELATED):
        qid = f"u{i}"
        current.append(FaqQuestion(qid, text, "Тверская область"))
        group_of[qid] = f"unrelated-{i}"
    add(previous, "subsidy", SUBSIDY, ["Курская область"] * 8, "previous")
    add(previous, "passport", PASSPORT, ["Москва"] * 10, "previous")
    rng.shuffle(current)
    return current, previous, group_of


class HashEncoder:
    """A stand-in encoder for fast tests: the sum of a fixed random vector per lemma, so
    texts sharing content words are close. Same protocol as the real one."""

    dim = 64
    passage_prefix = "passage: "

    def encode(self, texts, prefix=None):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for lemma in lemma_tokens(text) or [text.lower()]:
                seed = int(hashlib.md5(lemma.encode()).hexdigest()[:8], 16)
                out[i] += np.random.default_rng(seed).normal(size=self.dim)
        out += 3.0  # a shared component, as real sentence encoders have
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def _cluster_of(clusters: list[FaqCluster]) -> dict[str, FaqCluster]:
    return {m: c for c in clusters for m in c.members}


def _check_partition(clusters: list[FaqCluster], questions: list[FaqQuestion]) -> None:
    members = [m for c in clusters for m in c.members]
    assert sorted(members) == sorted(q.id for q in questions)  # each exactly once
    assert all(c.count == len(c.members) for c in clusters)
    counts = [c.count for c in clusters]
    assert counts == sorted(counts, reverse=True)
    assert len({c.id for c in clusters}) == len(clusters)


# --------------------------------------------------------------------- fast unit tests


def test_content_text_strips_boilerplate():
    text = (
        "Здравствуйте! Подскажите, пожалуйста, как оформить субсидию? "
        "https://example.org/x Спасибо заранее! С уважением, Иван"
    )
    assert content_text(text) == "Как оформить субсидию?"
    assert content_text("Добрый день. Хотелось бы узнать сроки") == "Сроки"
    assert content_text("Спасибо!") == "Спасибо!"  # nothing else: the text stays
    assert content_text("") == ""


def test_average_linkage_matches_scipy_and_respects_constraints():
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 8))
    x[:20, 0] += 4
    x[20:40, 1] += 4
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    sim = x @ x.T
    ours = average_linkage(sim, 0.5)
    ref = fcluster(linkage(x, "average", metric="cosine"), 0.5, criterion="distance")
    assert adjusted_rand_score(ref, ours) == 1.0
    # anchors: nodes 0 and 1 (same blob) carry different anchors and never share a group
    anchors = np.full(60, -1)
    anchors[0], anchors[1] = 0, 1
    lab = average_linkage(sim, 0.5, anchors=anchors)
    assert lab[0] != lab[1]
    # cohesion floor: no pair in a group below it
    lab = average_linkage(sim, 0.2, min_sim=0.1)
    for c in np.unique(lab):
        idx = np.flatnonzero(lab == c)
        assert sim[np.ix_(idx, idx)].min() >= 0.1 - 1e-6


def test_average_linkage_constraints_hold_together_and_stop_only_when_no_merge_is_allowed():
    rng = np.random.default_rng(1)
    for _ in range(60):
        n = int(rng.integers(2, 80))
        x = np.round(rng.normal(size=(n, 6)), 1)  # rounded: ties occur
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        sim = (x @ x.T).astype(np.float32)
        anchors = np.where(rng.random(n) < 0.2, rng.integers(0, 3, n), -1)
        sizes = rng.integers(1, 4, n)
        floor, threshold = float(rng.uniform(-0.4, 0.2)), float(rng.uniform(0.1, 0.5))
        lab = average_linkage(sim, threshold, anchors=anchors, min_sim=floor, sizes=sizes)
        groups = [np.flatnonzero(lab == c) for c in range(lab.max() + 1)]
        for g in groups:
            assert sim[np.ix_(g, g)].min() >= floor - 1e-6
            assert len(set(anchors[g][anchors[g] >= 0].tolist())) <= 1
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                ga, gb = groups[a], groups[b]
                pair = sim[np.ix_(ga, gb)].astype(np.float64)
                mean = (sizes[ga, None] * sizes[None, gb] * pair).sum() / (
                    sizes[ga].sum() * sizes[gb].sum()
                )
                held = {*anchors[ga][anchors[ga] >= 0].tolist(), *anchors[gb][anchors[gb] >= 0]}
                allowed = pair.min() >= floor and len(held) <= 1
                assert not (allowed and mean >= threshold + 1e-5), (a, b, mean)


def test_partition_and_order_with_stub_encoder():
    current, previous, _ = _stream()
    clusters = group_questions(current, encoder=HashEncoder(), kb=KB, previous=previous)
    _check_partition(clusters, current)
    for c in clusters:
        assert c.to_dict()["members"] == c.members
        assert set(c.to_dict()) == {
            "id",
            "representative",
            "count",
            "members",
            "regions",
            "growth",
            "campaign",
            "kb_match",
        }


def test_blocks_give_a_partition_too():
    """Inputs larger than block_size go through the two-level path."""
    current, previous, _ = _stream()
    params = FaqParams(block_size=8)
    clusters = group_questions(current, encoder=HashEncoder(), kb=KB, params=params)
    _check_partition(clusters, current)
    whole = group_questions(current, encoder=HashEncoder(), kb=KB)
    assert len(clusters) <= 3 * len(whole)


def test_previous_rows_in_the_same_list_count_as_previous():
    current, previous, _ = _stream()
    a = group_questions(current + previous, encoder=HashEncoder())
    b = group_questions(current, encoder=HashEncoder(), previous=previous)
    assert [c.to_dict() for c in a] == [c.to_dict() for c in b]
    _check_partition(a, current)


def test_no_previous_means_no_growth_and_no_campaign():
    current, _, _ = _stream()
    clusters = group_questions(current, encoder=HashEncoder())
    assert all(c.growth is None and not c.campaign for c in clusters)


def test_new_group_is_campaign_only_when_big_enough():
    current, previous, group_of = _stream()
    params = FaqParams(new_group_campaign_min=5)
    clusters = group_questions(current, encoder=HashEncoder(), previous=previous, params=params)
    for c in clusters:
        if c.growth is None:
            assert c.campaign == (c.count >= 5)


def test_top_by_region_ranks_by_regional_count():
    def cl(cid, regions):
        n = sum(regions.values())
        return FaqCluster(cid, cid, n, [f"{cid}{i}" for i in range(n)], regions, None, False, None)

    clusters = [cl("a", {"X": 1, "Y": 9}), cl("b", {"X": 5}), cl("c", {"X": 2, "Z": 1})]
    top = top_by_region(clusters, n=2)
    assert [c.id for c in top["X"]] == ["b", "c"]
    assert [c.id for c in top["Y"]] == ["a"]
    assert [c.id for c in top["Z"]] == ["c"]


def test_cluster_to_dict_holds_every_field_as_a_copy():
    import dataclasses

    cluster = FaqCluster("a", "Как?", 2, ["1", "2"], {"X": 2}, 0.5, True, {"faq_id": "f"})
    data = cluster.to_dict()
    assert data == dataclasses.asdict(cluster)
    data["members"].append("3")
    data["kb_match"]["faq_id"] = "g"
    assert cluster.members == ["1", "2"] and cluster.kb_match == {"faq_id": "f"}


def test_faq_file_reads_csv_jsonl_xlsx(tmp_path):
    from openpyxl import Workbook

    current, previous, _ = _stream()
    rows = [{"id": q.id, "text": q.text, "region": q.region} for q in current]
    inp = tmp_path / "q.csv"
    with inp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "text", "region"])
        writer.writeheader()
        writer.writerows(rows)
        writer.writerow({"id": "empty", "text": "", "region": "X"})
    prev = tmp_path / "prev.jsonl"
    prev.write_text(
        "".join(
            json.dumps({"id": q.id, "text": q.text, "region": q.region}, ensure_ascii=False) + "\n"
            for q in previous
        )
        + "{broken\n",
        encoding="utf-8",
    )
    kb = tmp_path / "kb.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["faq_id", "faq_question"])
    for e in KB:
        sheet.append([e.faq_id, e.question])
    book.save(kb)
    out = tmp_path / "out" / "faq.json"
    result = faq_file(inp, kb, prev, out, encoder=HashEncoder())
    assert json.loads(out.read_text("utf-8")) == result
    ids = [c["id"] for c in result["clusters"]]
    counts = [c["count"] for c in result["clusters"]]
    assert counts == sorted(counts, reverse=True)
    members = sorted(m for c in result["clusters"] for m in c["members"])
    assert members == sorted(q.id for q in current)
    assert result["top_overall"] == ids[:10]
    assert set(result["top_by_region"]) == {q.region for q in current}
    assert {s["row"] for s in result["skipped"]} == {len(rows) + 2, len(previous) + 1}
    with pytest.raises(ValueError):
        faq_file(inp, output_path=None, encoder=HashEncoder())


# ----------------------------------------------------------------- with the real encoder


@pytest.fixture(scope="module")
def e5():
    from models.encoders import load_encoder

    return load_encoder("e5-small")


@pytest.fixture(scope="module")
def stream_result(e5):
    current, previous, group_of = _stream()
    clusters = group_questions(current, encoder=e5, kb=KB, previous=previous)
    return current, clusters, group_of


def _planted(clusters, group_of, group) -> FaqCluster:
    """The cluster holding most of a planted group."""
    ids = [q for q, g in group_of.items() if g == group]
    cl = _cluster_of(clusters)
    best = Counter(cl[q].id for q in ids).most_common(1)[0][0]
    return next(c for c in clusters if c.id == best)


@pytest.mark.slow
def test_stream_partition(stream_result):
    current, clusters, _ = stream_result
    _check_partition(clusters, current)


@pytest.mark.slow
def test_paraphrases_together_unrelated_apart(stream_result):
    _, clusters, group_of = stream_result
    cl = _cluster_of(clusters)
    for group in ("subsidy", "passport", "school"):
        ids = [q for q, g in group_of.items() if g == group]
        assert len({cl[q].id for q in ids}) == 1, group
    owners = {}
    for q, g in group_of.items():
        owners.setdefault(cl[q].id, set()).add(g)
    assert all(len(gs) == 1 for gs in owners.values()), owners  # nothing mixed


@pytest.mark.slow
def test_campaign_flags_growth_over_30_percent(stream_result):
    _, clusters, group_of = stream_result
    subsidy = _planted(clusters, group_of, "subsidy")
    passport = _planted(clusters, group_of, "passport")
    assert subsidy.growth == pytest.approx(0.5)
    assert subsidy.campaign
    assert passport.growth == pytest.approx(0.1)
    assert not passport.campaign
    school = _planted(clusters, group_of, "school")  # absent from the previous period
    assert school.growth is None
    assert school.campaign == (school.count >= DEFAULT_PARAMS.new_group_campaign_min)


@pytest.mark.slow
def test_top_by_region_on_planted_regions(stream_result):
    _, clusters, group_of = stream_result
    top = top_by_region(clusters, n=10)
    assert top["Курская область"][0] is _planted(clusters, group_of, "subsidy")
    assert top["Москва"][0] is _planted(clusters, group_of, "passport")
    assert top["Тверская область"][0] is _planted(clusters, group_of, "school")
    assert top["Курская область"][0].regions == {"Курская область": 9, "Москва": 3}
    assert all(len(v) <= 10 for v in top.values())


@pytest.mark.slow
def test_kb_match_covered_and_uncovered(stream_result):
    _, clusters, group_of = stream_result
    assert _planted(clusters, group_of, "subsidy").kb_match["faq_id"] == "kb-subsidy"
    assert _planted(clusters, group_of, "passport").kb_match["faq_id"] == "kb-passport"
    assert _planted(clusters, group_of, "school").kb_match is None
    for q, g in group_of.items():
        if g.startswith("unrelated"):
            assert _cluster_of(clusters)[q].kb_match is None


@pytest.mark.slow
def test_representative_is_a_cleaned_member(stream_result):
    _, clusters, group_of = stream_result
    rep = _planted(clusters, group_of, "subsidy").representative
    assert rep in SUBSIDY
    assert not re.match(r"(?i)здравствуйте|добрый", rep)


# ------------------------------------------------------------ real data (when present)


@pytest.mark.slow
@pytest.mark.skipif(not (FAQ_RUTUBE / "data.jsonl").is_file(), reason="faq_rutube absent")
def test_faq_rutube_quality_floors(e5):
    from sklearn.metrics import adjusted_rand_score

    def rows(name):
        with (FAQ_RUTUBE / name).open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]

    data = rows("data.jsonl")
    questions = [FaqQuestion(str(r["id"]), r["text"]) for r in data]
    kb = read_kb(FAQ_RUTUBE / "kb.jsonl")
    assert all(e.answer for e in kb)
    clusters = group_questions(questions, encoder=e5, kb=kb)
    _check_partition(clusters, questions)
    cl = _cluster_of(clusters)
    truth = [r["faq_id"] for r in data]
    ari = adjusted_rand_score(truth, [cl[str(r["id"])].id for r in data])
    matched = [(cl[str(r["id"])].kb_match or {}).get("faq_id") for r in data]
    acc = np.mean([m == str(r["faq_id"]) for m, r in zip(matched, data, strict=True)])
    # measured on these 411 questions (benchmarks/faq.py): ARI 0.53, acc@1 0.68 (0.46 / 0.62
    # with the KB's questions alone); plain average linkage on raw e5 scores ARI 0.31 at its
    # best threshold, plain nearest KB question 0.55
    assert ari >= ARI_FLOOR
    assert acc >= ACC_FLOOR


ARI_FLOOR = 0.50
ACC_FLOOR = 0.65


def test_read_kb_keeps_answers(tmp_path):
    path = tmp_path / "kb.jsonl"
    rows = [
        {"faq_id": 1, "faq_question": "Как оформить субсидию?", "faq_answer": "Через МФЦ."},
        {"faq_id": "2", "question": "Как заменить паспорт?"},
        {"faq_id": 3, "faq_question": "  "},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    assert read_kb(path) == [
        KbEntry("1", "Как оформить субсидию?", "Через МФЦ."),
        KbEntry("2", "Как заменить паспорт?", None),
    ]


def test_a_broken_grouping_module_fails_loudly_not_as_unavailable():
    """Regression: any ImportError inside insights.faq used to become a 503 «not available in
    this build»; now the store-side module imports it directly and the error surfaces."""
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['insights.faq'] = None\n"
        "try:\n    import insights.faq_store\nexcept ImportError:\n    print('import error')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True)  # fmt: skip
    assert out.stdout.strip() == "import error"
