"""Multi-task fine-tuning of the encoder's top layers on CPU.

Word embeddings and the lower layers stay frozen (the cheapest setting that still moves
accuracy, see shared/notes/offline-e5.md); each task gets a linear head on mean-pooled
states. Only the trained layers are saved (`encoder_delta.safetensors`, float16), so a model
directory stays small and is applied on top of the base encoder at load time.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file
from tqdm import tqdm

from models.branch import embed_and_mask, mean_pool, run_layers
from models.constants import DELTA_FILE
from training.linear import class_weights

log = logging.getLogger("otklik.finetune")
HEAD_LR_FACTOR = 20


@dataclass
class Task:
    name: str
    texts: list[str]
    targets: list[str]
    labels: list[str]


def trainable_prefixes(model: torch.nn.Module, train_layers: int) -> list[str]:
    count = model.config.num_hidden_layers
    return [f"encoder.layer.{i}." for i in range(count - train_layers, count)]


def _class_weights(y: np.ndarray, classes: int) -> torch.Tensor:
    weights = class_weights(y, "sqrt")
    return torch.tensor([weights.get(i, 0.0) for i in range(classes)], dtype=torch.float32)


def _batches(tokenizer, texts, prefix, max_length, batch_size) -> list[list[int]]:
    ids = tokenizer([prefix + t for t in texts], truncation=True, max_length=max_length)[
        "input_ids"
    ]
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    return [order[s : s + batch_size] for s in range(0, len(order), batch_size)], ids


def _pad(rows: list[list[int]], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(r) for r in rows)
    input_ids = torch.full((len(rows), width), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        input_ids[i, : len(r)] = torch.tensor(r)
        mask[i, : len(r)] = 1
    return input_ids, mask


def finetune(
    model: torch.nn.Module,
    tokenizer,
    tasks: Sequence[Task],
    *,
    prefix: str = "query: ",
    train_layers: int = 4,
    epochs: float = 3.0,
    batch_size: int = 16,
    max_length: int = 256,
    learning_rate: float = 1e-4,
    seed: int = 0,
    show_progress: bool = True,
) -> dict[str, torch.Tensor]:
    """Train the top `train_layers` of `model` in place; return their state (the delta).

    The frozen bottom layers are run once per text and their output kept in memory, so each
    epoch costs only the trained layers: about 3× faster than a full forward pass per step.
    """
    torch.manual_seed(seed)
    rng = random.Random(seed)
    prefixes = trainable_prefixes(model, train_layers)
    first = model.config.num_hidden_layers - train_layers
    for name, param in model.named_parameters():
        param.requires_grad = any(name.startswith(p) for p in prefixes)
    hidden_size = model.config.hidden_size
    heads = torch.nn.ModuleDict(
        {t.name: torch.nn.Linear(hidden_size, len(t.labels)) for t in tasks}
    )
    pad = tokenizer.pad_token_id or 0
    losses = {}
    plan: list[tuple[str, list[int], list[list[int]], torch.Tensor]] = []
    for task in tasks:
        index = {label: i for i, label in enumerate(task.labels)}
        y = np.array([index[t] for t in task.targets])
        losses[task.name] = torch.nn.CrossEntropyLoss(weight=_class_weights(y, len(task.labels)))
        chunks, ids = _batches(tokenizer, task.texts, prefix, max_length, batch_size)
        for chunk in chunks:
            plan.append((task.name, chunk, [ids[i] for i in chunk], torch.tensor(y[chunk])))

    model.eval()
    cached: list[tuple] = []
    with torch.no_grad():  # not inference_mode: the cached states feed autograd later
        for task_name, _, rows, y in tqdm(
            plan, desc="Подготовка", unit="пакет", disable=not show_progress
        ):
            input_ids, mask = _pad(rows, pad)
            hidden, extended = embed_and_mask(model, input_ids, mask)
            hidden = run_layers(model.encoder.layer[:first], hidden, extended)
            cached.append((task_name, hidden, extended, mask, y))

    top_layers = model.encoder.layer[first:]
    encoder_params = [p for p in model.parameters() if p.requires_grad]
    params = encoder_params + list(heads.parameters())
    optimizer = torch.optim.AdamW(
        [
            {"params": encoder_params, "lr": learning_rate},
            # a fresh head at the encoder's small rate is still near chance after an epoch
            {"params": list(heads.parameters()), "lr": learning_rate * HEAD_LR_FACTOR},
        ],
        weight_decay=0.01,
    )
    total_steps = max(1, int(math.ceil(len(cached) * epochs)))
    warmup = max(1, total_steps // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: min((s + 1) / warmup, max(0.0, (total_steps - s) / (total_steps - warmup + 1))),
    )
    top_layers.train()
    heads.train()
    step, started = 0, time.time()
    progress = tqdm(total=total_steps, desc="Дообучение", unit="шаг", disable=not show_progress)
    while step < total_steps:
        rng.shuffle(cached)
        for task_name, bottom, extended, mask, y in cached:
            if step >= total_steps:
                break
            states = run_layers(top_layers, bottom, extended)
            loss = losses[task_name](heads[task_name](mean_pool(states, mask)), y)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            step += 1
            progress.update(1)
            progress.set_postfix(loss=f"{loss.item():.3f}", task=task_name)
    progress.close()
    model.eval()
    for param in model.parameters():
        param.requires_grad = False
    log.info("fine-tuned %d layers, %d steps in %.0f s", train_layers, total_steps,
             time.time() - started)  # fmt: skip
    return {
        name: tensor.detach().clone()
        for name, tensor in model.state_dict().items()
        if any(name.startswith(p) for p in prefixes)
    }


def save_delta(delta: dict[str, torch.Tensor], directory: Path) -> None:
    save_file(
        {k: v.to(torch.float16).contiguous() for k, v in delta.items()},
        str(directory / DELTA_FILE),
    )
