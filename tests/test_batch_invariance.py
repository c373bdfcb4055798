"""Same text, same answer: a text's labels and scores do not depend on its batch.

Quick: a small randomly initialised BERT built here (no download, no e5) runs through the real
`TransformerEncoder` and the real `Classifier` with the default model's heads; short texts beside
texts of a few thousand characters, alone, in batches, shuffled. The slow test does the same
with the shipped model.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from models.encoders import PRECISIONS, TransformerEncoder

SCORE_TOLERANCE = 1e-4

SHORT = [
    "Не убирают снег во дворе, пожилые люди падают.",
    "Нет горячей воды третий день",
    "Когда откроют новую школу в микрорайоне?",
    "Неделю не работает грузовой лифт (2 парадная)",
    "Разломанные почтовые ящики.",
    "Спасибо за быстрый ремонт крыши!",
    "Яма на дороге у школы № 12",
    "Ок",
    "Автобус №12 опять не пришёл",
    "Во дворе не горит фонарь, просим починить",
]
PARAGRAPH = (
    "Уважаемый глава администрации! Обращаюсь к вам от имени жителей дома № 14 по улице "
    "Садовой. Уже третий год подряд весной подвал нашего дома затапливает талыми водами, "
    "из-за чего в квартирах первого этажа появилась плесень, а в подъезде стоит невыносимый "
    "запах. Управляющая компания на наши многочисленные заявки отвечает отписками, ссылаясь "
    "на отсутствие средств. Просим провести проверку и обязать её выполнить ремонт. "
)
LONG = [PARAGRAPH * 8, PARAGRAPH * 14 + "Дороги тоже разбиты.", PARAGRAPH[:700] * 5]
MIX = SHORT + LONG


def _vocabulary(texts: list[str]) -> dict[str, int]:
    words = sorted({w for t in texts for w in t.lower().split()})
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
    return {w: i for i, w in enumerate(specials + words)}


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory) -> Path:
    """A 2-layer BERT with random weights and a word-level tokenizer, saved as a checkpoint."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    path = tmp_path_factory.mktemp("tiny-bert")
    vocab = _vocabulary(MIX)
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]", model_max_length=512
    ).save_pretrained(path)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=384,  # the default model's heads read 384-dim embeddings
        num_hidden_layers=2,
        num_attention_heads=12,
        intermediate_size=768,
        max_position_embeddings=512,
    )
    BertModel(config, add_pooling_layer=False).save_pretrained(path)
    return path


def _batches(texts: list[str]) -> list[list[int]]:
    """Index lists: alone, the whole mix, shuffled, and small mixed batches."""
    n = len(texts)
    rng = random.Random(7)
    shuffled = rng.sample(range(n), n)
    return [*([i] for i in range(n)), list(range(n)), shuffled, shuffled[:4], shuffled[4:9]]


@pytest.mark.parametrize("precision", [p for p in PRECISIONS if p != "auto"])
def test_encoder_vector_ignores_its_batch(tiny_bert, precision):
    encoder = TransformerEncoder(tiny_bert, precision=precision, num_threads=2)
    assert max(len(ids) for ids in encoder.tokenize(LONG)) == encoder.max_length  # truncated
    reference = np.vstack([encoder.encode([t]) for t in MIX])
    for idx in _batches(MIX)[len(MIX) :]:
        for batch_size in (2, 32):
            got = encoder.encode([MIX[i] for i in idx], batch_size=batch_size)
            np.testing.assert_allclose(got, reference[idx], atol=1e-6, rtol=0)


def test_long_texts_read_in_windows_ignore_their_batch(tiny_bert):
    one = TransformerEncoder(tiny_bert, precision="fp32", num_threads=2)
    three = TransformerEncoder(tiny_bert, precision="fp32", max_chunks=3, num_threads=2)
    rows, owners = three.windows(MIX)
    assert max(len(r) for r in rows) <= three.max_length
    counts = np.bincount(owners).tolist()
    assert counts[: len(SHORT)] == [1] * len(SHORT) and counts[len(SHORT) :] == [3, 3, 2]
    assert rows[owners.tolist().index(len(SHORT))] == one.tokenize([LONG[0]])[0]
    short, long = three.encode(SHORT), three.encode(LONG)
    np.testing.assert_allclose(short, one.encode(SHORT), atol=1e-6)  # short texts: one window
    assert np.abs(long - one.encode(LONG)).max(axis=1).min() > 1e-4  # long: more than the head
    alone = np.vstack([three.encode([t]) for t in MIX])
    np.testing.assert_allclose(three.encode(MIX[::-1])[::-1], alone, atol=1e-6)


def _flatten(record: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    items = record.items() if isinstance(record, dict) else enumerate(record)
    for key, value in items:
        name = f"{prefix}.{key}"
        if isinstance(value, dict | list):
            out.update(_flatten(value, name))
        else:
            out[name] = value
    return out


def assert_same_answers(got: list, expected: list) -> None:
    for a, b in zip(got, expected, strict=True):
        flat_a, flat_b = _flatten(a.to_dict()), _flatten(b.to_dict())
        assert flat_a.keys() == flat_b.keys()
        for key, value in flat_a.items():
            if key.endswith(".score"):
                assert abs(value - flat_b[key]) <= SCORE_TOLERANCE, key
            else:
                assert value == flat_b[key], key


def test_classifier_answer_ignores_its_batch(tiny_bert):
    from models.classifier import Classifier

    classifier = Classifier(encoder=TransformerEncoder(tiny_bert, num_threads=2))
    alone = [classifier.classify([t])[0] for t in MIX]
    for idx in _batches(MIX)[len(MIX) :]:
        assert_same_answers(classifier.classify([MIX[i] for i in idx]), [alone[i] for i in idx])


@pytest.mark.slow
def test_shipped_model_answer_ignores_its_batch(classifier):
    alone = [classifier.classify([t])[0] for t in SHORT]
    beside_long = classifier.classify(LONG * 4 + SHORT + LONG)[len(LONG) * 4 : -len(LONG)]
    assert_same_answers(beside_long, alone)
