"""Lazy access to botocore's AppFabric service model.

The model is the single source of truth for routing, parsing, validation and
serialisation.  It is loaded on first use (never at import) and cached for the
life of the process, so ``import appfabric_mock`` stays cheap.
"""

from __future__ import annotations

import threading
from typing import Optional

from botocore.model import ServiceModel

SERVICE_NAME = "appfabric"
API_VERSION = "2023-05-19"

_lock = threading.Lock()
_model: Optional[ServiceModel] = None


def service_model() -> ServiceModel:
    """Return botocore's AppFabric :class:`~botocore.model.ServiceModel` (cached)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from botocore.loaders import create_loader

                data = create_loader().load_service_model(SERVICE_NAME, "service-2", API_VERSION)
                _model = ServiceModel(data, service_name=SERVICE_NAME)
    return _model
