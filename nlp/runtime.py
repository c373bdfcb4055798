"""Lazily loaded natasha models, shared by the whole process.

Loading takes about a second and ~100 MB, so nothing is loaded at import time. The models are
read-only after loading; inference calls are serialised by `inference()` (see there why).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_load_lock = threading.RLock()  # models() loads morph_vocab() while holding it
_inference_lock = threading.RLock()


@dataclass(frozen=True)
class NatashaModels:
    segmenter: Any
    morph_vocab: Any
    morph_tagger: Any
    ner_tagger: Any


_vocab: Any = None
_models: NatashaModels | None = None


def morph_vocab() -> Any:
    """natasha's MorphVocab: a pymorphy2 analyzer with a parse cache."""
    global _vocab
    if _vocab is None:
        with _load_lock:
            if _vocab is None:
                with warnings.catch_warnings():
                    # pymorphy2 imports pkg_resources, which warns on recent setuptools
                    warnings.simplefilter("ignore")
                    from natasha import MorphVocab

                    _vocab = MorphVocab()
    return _vocab


def models() -> NatashaModels:
    global _models
    if _models is None:
        with _load_lock:
            if _models is None:
                _models = _load()
    return _models


def _load() -> NatashaModels:
    from natasha import NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

    vocab = morph_vocab()
    embedding = NewsEmbedding()
    return NatashaModels(
        segmenter=Segmenter(),
        morph_vocab=vocab,
        morph_tagger=NewsMorphTagger(embedding),
        ner_tagger=NewsNERTagger(embedding),
    )


@lru_cache(maxsize=1)
def _blas_controller() -> Any:
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return None
    return ThreadpoolController()


@contextmanager
def inference() -> Iterator[None]:
    """Run slovnet inference single-threaded, one call at a time.

    slovnet multiplies tiny matrices with numpy; a multi-threaded OpenBLAS spends far more time
    waking its threads than computing (measured: NER on 240 chars 4-8 ms with one BLAS thread,
    80-120 ms with two on a busy 2-core machine). The thread limit is process-wide, so calls
    hold one lock while it is in force; callers get the same speed either way.
    """
    controller = _blas_controller()
    with _inference_lock:
        if controller is None:
            yield
        else:
            with controller.limit(limits=1, user_api="blas"):
                yield
