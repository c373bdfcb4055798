"""GET /v1/taxonomy: the active model's topics, types, aspects and urgency levels."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.auth import require
from api.dependencies import ActiveModel
from api.safe_json import SafeJsonRoute

router = APIRouter(tags=["taxonomy"], route_class=SafeJsonRoute)


@router.get("/v1/taxonomy", dependencies=[Depends(require("system", "analyst", "press"))])
def taxonomy(model: ActiveModel) -> dict:
    return model.added_topics.extend_taxonomy(model.taxonomy.to_dict())  # + "added": true
