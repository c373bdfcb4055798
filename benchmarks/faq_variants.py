"""Question -> FAQ-entry retrieval: what was tried beside the shipped similarity, and what it gives.

    .venv/bin/python benchmarks/faq_variants.py

The kb_match target (accuracy@1 >= 0.75) is not met with e5-small; this script keeps the
record of the ideas measured against the similarity ``insights.faq`` uses, so that nobody
has to try them again. All figures are per-question accuracy@1 of the nearest KB entry on the
full visible RUTUBE set (411 questions, 143 FAQ entries, the size of the held-back half),
each beside the shipped similarity in the same run:

  e5 block alone, and mixed    the variant replaces the e5 block; "mixed" keeps the character
                               and lemma blocks with their default weights
  centring                     subtract each side's mean embedding (anisotropy correction)
  all-but-the-top              also remove the first principal component
  FAQ section title            the KB's ``faq_topic`` appended to the answer text (also
                               scored at group level: per-question gains need not survive the
                               grouping, and this one does not)
  sentence max                 a question's similarity mixes in the best of its sentences (0.2)
  KB adapter                   a linear map of the question space, trained on the KB itself
                               (its questions and answer sentences as pseudo-queries)
  no lemma filter              group_questions without the shared-lemma check on kb_match
                               (group-level accuracy, as benchmarks/faq.py scores it); the
                               check is what keeps false matches down, see the trade-off

Then the coverage trade-off: over disjoint halves of the groups, the share of questions whose
nearest KB entry is right when the KB covers them, against the share that gets a KB entry at
all when the KB is the other half's (false matches), for cut-offs on the similarity, on the
margin between the first and second entry, and on shared content lemmas.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from faq import DATA, CachedEncoder, Half, halves, load, score  # noqa: E402

import insights.faq as core  # noqa: E402
from insights.faq_text import content_text  # noqa: E402

SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def normalise(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def sentences(text: str, min_words: int) -> list[str]:
    return [s for s in SENTENCE.split(text) if len(s.split()) >= min_words]


class Retrieval:
    """The shipped question-to-KB similarity on one question set, split into its blocks."""

    def __init__(self, encoder, texts: list[str], kb: list, truth: list[str]) -> None:
        self.encoder, self.texts, self.kb, self.truth = encoder, texts, kb, truth
        self.space = core._Space(encoder, texts, kb, core.DEFAULT_PARAMS)
        self.blocks = self.space._blocks(texts)
        self.sim = self.space.kb_sim(self.blocks)
        self.q, self.k = self.blocks[0], self.space.kb_blocks[0]
        self.e5_weight = self.space.weights[0]
        self.lexical = self.sim - self.e5_weight * (self.q @ self.k.T)

    def accuracy(self, sim: np.ndarray) -> float:
        ids = [e.faq_id for e in self.kb]
        return float(np.mean([ids[j] == t for j, t in zip(sim.argmax(1), self.truth, strict=True)]))

    def row(self, name: str, e5_sim: np.ndarray) -> None:
        alone = self.accuracy(e5_sim)
        mixed = self.accuracy(self.lexical + self.e5_weight * e5_sim)
        print(f"  {name:34s} {alone:.3f}      {mixed:.3f}")


def centred(r: Retrieval, drop_components: int) -> np.ndarray:
    q, k = r.q - r.q.mean(0), r.k - r.k.mean(0)
    if drop_components:
        _, _, vt = np.linalg.svd(np.vstack([q, k]), full_matrices=False)
        top = vt[:drop_components]
        q, k = q - q @ top.T @ top, k - k @ top.T @ top
    return normalise(q) @ normalise(k).T


def sentence_max(r: Retrieval, share: float) -> np.ndarray:
    parts, owner = [], []
    for i, t in enumerate(r.texts):
        for s in sentences(t, 2) or [t]:
            parts.append(s)
            owner.append(i)
    per_sentence = core.encode_normalized(r.encoder, parts) @ r.k.T
    best = np.full(r.sim.shape, -1.0, dtype=np.float32)
    for row, i in enumerate(owner):
        best[i] = np.maximum(best[i], per_sentence[row])
    return (1 - share) * (r.q @ r.k.T) + share * best


def kb_adapter(r: Retrieval, ridge: float = 10.0, temperature: float = 0.02) -> np.ndarray:
    import torch

    pseudo, target = [], []
    for j, e in enumerate(r.kb):
        for text in [content_text(e.question), *sentences(e.answer or "", 4)]:
            pseudo.append(text[:300])
            target.append(j)
    x = torch.tensor(core.encode_normalized(r.encoder, pseudo))
    k, y = torch.tensor(r.k), torch.tensor(target)
    eye = torch.eye(x.shape[1])
    w = eye.clone().requires_grad_(True)
    opt = torch.optim.Adam([w], lr=1e-3)
    for _ in range(300):
        z = torch.nn.functional.normalize(x @ w, dim=1)
        loss = torch.nn.functional.cross_entropy(z @ k.T / temperature, y)
        loss = loss + ridge * ((w - eye) ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        q = torch.nn.functional.normalize(torch.tensor(r.q) @ w, dim=1).numpy()
    return q @ r.k.T


def with_titles(entries: list, titles: dict[str, str]) -> list:
    """KB entries with their section heading appended to the answer text."""
    return [
        core.KbEntry(e.faq_id, e.question, f"{e.answer or ''} {titles.get(e.faq_id, '')}".strip())
        for e in entries
    ]


def full_set(encoder, data: list[dict], kb: list[dict]) -> tuple[Half, Retrieval]:
    full = Half(data, kb, frozenset(r["faq_id"] for r in data))
    entries = core._dedupe_kb(full.kb)
    texts = [content_text(q.text) for q in full.questions]
    truth = [str(full.truth[q.id]) for q in full.questions]
    return full, Retrieval(encoder, texts, entries, truth)


def run_variants(encoder, data: list[dict], kb: list[dict]) -> None:
    full, r = full_set(encoder, data, kb)
    print(f"{len(r.texts)} questions, {len(r.kb)} FAQ entries; nearest-entry accuracy@1")
    print(f"  {'variant':34s} e5 alone  mixed (as shipped: e5 + char + lemma)")
    r.row("shipped similarity", r.q @ r.k.T)
    r.row("centring", centred(r, 0))
    r.row("centring + all-but-the-top (1 PC)", centred(r, 1))
    r.row("sentence max (0.2)", sentence_max(r, 0.2))
    r.row("KB adapter (ridge 10, T 0.02)", kb_adapter(r))

    titles = {str(row["faq_id"]): row.get("faq_topic") or "" for row in kb}
    t = Retrieval(encoder, r.texts, with_titles(r.kb, titles), r.truth)
    t.row("FAQ section title after the answer", t.q @ t.k.T)

    shipped = score(core.group_questions(full.questions, encoder=encoder, kb=full.kb), full.truth)
    titled_kb = with_titles(full.kb, titles)
    titled = score(core.group_questions(full.questions, encoder=encoder, kb=titled_kb), full.truth)
    check = core._shares_topic
    core._shares_topic = lambda texts, question: True  # ablation: no shared-lemma check
    try:
        unfiltered = score(
            core.group_questions(full.questions, encoder=encoder, kb=full.kb), full.truth
        )
    finally:
        core._shares_topic = check
    print(
        f"\ngroup kb_match accuracy@1: shipped {shipped[1]:.3f}, "
        f"section titles {titled[1]:.3f}, no lemma filter {unfiltered[1]:.3f}"
    )


def run_coverage(encoder, data: list[dict], kb: list[dict], repeats: int = 3) -> None:
    rows = []
    for own, other in halves(data, repeats):
        questions = Half(data, kb, own)
        texts = [content_text(q.text) for q in questions.questions]
        truth = [str(questions.truth[q.id]) for q in questions.questions]
        for covered, half_kb in [(True, questions.kb), (False, Half(data, kb, other).kb)]:
            r = Retrieval(encoder, texts, core._dedupe_kb(half_kb), truth)
            order = np.argsort(-r.sim, axis=1)
            for i, text in enumerate(texts):
                first, second = order[i, 0], order[i, 1]
                rows.append((
                    covered,
                    r.kb[first].faq_id == truth[i],
                    r.sim[i, first],
                    r.sim[i, first] - r.sim[i, second],
                    core._shares_topic([text], r.kb[first].question),
                ))  # fmt: skip
    covered, right, top, margin, shared = (np.array(c) for c in zip(*rows, strict=True))
    print("\ncoverage trade-off (per question, halves of the groups, 3 splits x 2)")
    print(f"  {'rule':34s} right when covered   matched when not covered")

    def show(name: str, keep: np.ndarray) -> None:
        right_share = (keep & right & covered).sum() / covered.sum()
        false_share = (keep & ~covered).sum() / (~covered).sum()
        print(f"  {name:34s} {right_share:.3f}                {false_share:.3f}")

    for cut in (0.0, 0.72, 0.74, 0.76, 0.78):
        show(f"similarity >= {cut:.2f}", top >= cut)
    show("similarity >= 0.72, shared lemma", (top >= 0.72) & shared)
    for gap in (0.01, 0.02, 0.03):
        show(f"  + margin >= {gap:.2f}", (top >= 0.72) & shared & (margin >= gap))


def main() -> None:
    from models.encoders import load_encoder

    if not (DATA / "data.jsonl").is_file():
        print(f"{DATA} is absent: nothing to measure")
        return
    data, kb = load()
    encoder = CachedEncoder(load_encoder("e5-small"))
    run_variants(encoder, data, kb)
    run_coverage(encoder, data, kb)


if __name__ == "__main__":
    main()
