"""Fine-tuning core: only the top layers change, and the delta holds exactly those layers."""

from __future__ import annotations

import pytest
import torch
from safetensors.torch import load_file

from models.encoders import load_encoder
from training.finetune import DELTA_FILE, Task, finetune, save_delta

pytestmark = pytest.mark.slow  # fine-tunes encoder layers


def test_top_layers_train_and_delta_round_trips(tmp_path):
    encoder = load_encoder("e5-small", precision="fp32")
    model, tokenizer = encoder.model, encoder.tokenizer
    before = {k: v.clone() for k, v in model.state_dict().items()}
    texts = ["Спасибо, всё отлично", "Ужасно, ничего не работает"] * 4
    task = Task("sentiment", texts, ["positive", "negative"] * 4, ["negative", "positive"])
    delta = finetune(
        model, tokenizer, [task], train_layers=1, epochs=2, batch_size=4, show_progress=False
    )
    top = f"encoder.layer.{model.config.num_hidden_layers - 1}."
    assert delta and all(name.startswith(top) for name in delta)
    after = model.state_dict()
    changed = {k for k in after if not torch.equal(after[k], before[k])}
    assert changed and all(k.startswith(top) for k in changed)
    save_delta(delta, tmp_path)
    saved = load_file(str(tmp_path / DELTA_FILE))
    assert set(saved) == set(delta)
    assert all(t.dtype == torch.float16 for t in saved.values())
