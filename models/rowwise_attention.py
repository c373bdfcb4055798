"""Attention over each text's own tokens only, so a batch never changes a text's result.

Padded batched attention reduces over the padded width: the same text beside a longer one
gets its softmax and weighted sums computed in another order and block split. In float32 that
moves a vector by ~1e-7, but in bfloat16 it flips roundings that grow through 12 layers
(seen: up to 7e-4 per embedding component). Here rows of equal length share one
``scaled_dot_product_attention`` call over exactly their tokens, with no mask; every other
operation of the encoder (Linear, LayerNorm, GELU) works on one token at a time.

Registered with transformers as the attention implementation ``"otklik_rowwise"``; it takes
right-padded batches (as :class:`models.encoders.TransformerEncoder` builds them).
"""

from __future__ import annotations

from typing import Any

import torch
from torch.nn import functional

NAME = "otklik_rowwise"


def row_lengths(attention_mask: torch.Tensor | None, batch: int, width: int) -> torch.Tensor:
    """Tokens per row from a 4-D boolean (True = attend) or additive (0 = attend) mask."""
    if attention_mask is None:
        return torch.full((batch,), width, dtype=torch.long)
    keys = attention_mask[:, 0, 0, :]
    valid = keys if keys.dtype == torch.bool else keys == 0
    return valid.sum(dim=-1).to(torch.long).expand(batch)


def rowwise_attention(
    module: Any,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attention_mask: torch.Tensor | None,
    scaling: float | None = None,
    dropout: float = 0.0,
    **_: Any,
) -> tuple[torch.Tensor, None]:
    """``(batch, heads, width, dim)`` inputs → ``(batch, width, heads, dim)`` output."""
    batch, _, width, _ = query.shape
    lengths = row_lengths(attention_mask, batch, width)
    out = query.new_zeros(query.shape)
    p = dropout if module.training else 0.0
    for length in torch.unique(lengths).tolist():
        if length == 0:
            continue
        rows = torch.nonzero(lengths == length).flatten()
        if len(rows) == batch and length == width:
            out = functional.scaled_dot_product_attention(
                query, key, value, dropout_p=p, scale=scaling
            )
            break
        out[rows, :, :length] = functional.scaled_dot_product_attention(
            query[rows, :, :length],
            key[rows, :, :length],
            value[rows, :, :length],
            dropout_p=p,
            scale=scaling,
        )
    return out.transpose(1, 2).contiguous(), None


def register() -> str:
    """Make ``"otklik_rowwise"`` known to transformers (idempotent); returns the name."""
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

    AttentionInterface.register(NAME, rowwise_attention)
    AttentionMaskInterface.register(NAME, sdpa_mask)
    return NAME
