"""What the endpoints take from the application: the registry, the active model, the store,
the display names. Every route gets them through these functions, nowhere else."""

from __future__ import annotations

import logging
import threading
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request

from api.errors import StoreUnavailable
from insights.labels import Names, names_for
from models.classifier import Classifier
from models.registry import ModelRegistry

log = logging.getLogger("otklik.api")
_store_lock = threading.Lock()


async def get_registry(request: Request) -> ModelRegistry:
    return request.app.state.registry


def get_classifier(request: Request) -> Classifier:
    """The registry's active classifier (loaded on first use); one reference per request."""
    return request.app.state.registry.current()


def open_store(app: FastAPI):
    """The app's message store, opened (and migrated) on first use; `StoreUnavailable` if not."""
    from insights.store import StoreError
    from insights.store import open_store as open_message_store

    state = app.state
    store = getattr(state, "store", None)
    if store is not None:
        return store
    with _store_lock:
        store = getattr(state, "store", None)
        if store is None:
            try:
                store = open_message_store(getattr(state, "database_url", None))
            except StoreError as exc:
                raise StoreUnavailable(str(exc)) from exc
            state.store = store
            log.info("message store: %s", store.describe())
    return store


async def get_scheduler(request: Request):
    return request.app.state.scheduler


def get_store(request: Request):
    return open_store(request.app)


def get_names(request: Request) -> Names:
    """Display names from the active model's taxonomy (read from its directory if the model
    is not loaded yet), so HTTP and CLI name topics alike."""
    registry = request.app.state.registry
    classifier = registry.loaded()
    return names_for(classifier.taxonomy if classifier is not None else registry.active.path)


Registry = Annotated[ModelRegistry, Depends(get_registry)]
ActiveModel = Annotated[Classifier, Depends(get_classifier)]
StoreDep = Annotated[Any, Depends(get_store)]
Scheduler = Annotated[Any, Depends(get_scheduler)]
NamesDep = Annotated[Names, Depends(get_names)]
From = Annotated[str | None, Query(alias="from", description="First day, YYYY-MM-DD")]
To = Annotated[str | None, Query(alias="to", description="Last day (inclusive), YYYY-MM-DD")]
Region = Annotated[str | None, Query(max_length=200, description="Region code or name")]
