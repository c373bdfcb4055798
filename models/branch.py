"""A fine-tuned branch of the encoder: its own copy of the top layers over the shared bottom.

A model trained with `otklik train --mode finetune` stores only the layers it changed
(`encoder_delta.safetensors`). At run time the shared encoder computes the bottom layers once;
the base top layers feed the heads of the base model and the tuned copies feed the heads
trained with them, so a fine-tuned model costs the top layers twice, not a second encoder.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import torch

from models.constants import DELTA_FILE

_LAYER = re.compile(r"^encoder\.layer\.(\d+)\.(.+)$")


def embed_and_mask(model: Any, input_ids: torch.Tensor, mask: torch.Tensor) -> tuple:
    """Word embeddings and the attention mask in the form the encoder layers take."""
    hidden = model.embeddings(input_ids=input_ids)
    extended, _ = model._create_attention_masks(
        attention_mask=mask,
        encoder_attention_mask=None,
        embedding_output=hidden,
        encoder_hidden_states=None,
        past_key_values=None,
    )
    return hidden, extended


def run_layers(layers, hidden: torch.Tensor, extended_mask) -> torch.Tensor:
    for layer in layers:
        out = layer(hidden, extended_mask)
        hidden = out[0] if isinstance(out, tuple) else out
    return hidden


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(dim=1) / m.sum(dim=1).clamp(min=1.0)


def delta_layer_indices(delta: dict[str, torch.Tensor]) -> list[int]:
    indices = set()
    for name in delta:
        match = _LAYER.match(name)
        if not match:
            raise ValueError(f"unexpected tensor in encoder delta: {name}")
        indices.add(int(match.group(1)))
    return sorted(indices)


def build_tuned_layers(model: Any, delta: dict[str, torch.Tensor]) -> tuple[int, torch.nn.Module]:
    """Fresh float copies of the top layers with the delta's weights; returns (first, layers)."""
    from transformers.models.bert.modeling_bert import BertLayer

    indices = delta_layer_indices(delta)
    count = model.config.num_hidden_layers
    if not indices or indices != list(range(indices[0], count)):
        raise ValueError(f"encoder delta must hold the top layers, holds {indices}")
    layers = torch.nn.ModuleList(
        BertLayer(model.config, layer_idx=i) for i in range(indices[0], count)
    )
    state = {}
    for name, tensor in delta.items():
        match = _LAYER.match(name)
        state[f"{int(match.group(1)) - indices[0]}.{match.group(2)}"] = tensor.float()
    layers.load_state_dict(state, strict=True)
    layers.eval()
    return indices[0], layers


def load_delta(directory: Path) -> dict[str, torch.Tensor] | None:
    from safetensors.torch import load_file

    path = Path(directory) / DELTA_FILE
    return load_file(str(path)) if path.exists() else None
