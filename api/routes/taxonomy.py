"""GET /v1/taxonomy: the active model's topics, types, aspects and urgency levels."""

from __future__ import annotations

from fastapi import APIRouter

from api.dependencies import ActiveModel

router = APIRouter(tags=["taxonomy"])


@router.get("/v1/taxonomy")
def taxonomy(model: ActiveModel) -> dict:
    return model.added_topics.extend_taxonomy(model.taxonomy.to_dict())  # + "added": true
