"""Everything the protocol layer derives from the model, built once per process."""

from __future__ import annotations

import threading
from typing import Dict, Optional

from botocore.model import OperationModel, StructureShape

from .._model import service_model
from .parsing import InputBindings
from .routing import Router
from .serialization import Converter, OutputSerializer
from .validation import Validator


def snake_case(name: str) -> str:
    """``CreateAppBundle`` -> ``create_app_bundle``."""
    out = []
    for index, char in enumerate(name):
        if char.isupper() and index:
            out.append("_")
        out.append(char.lower())
    return "".join(out)


class OperationSpec:
    """One operation, ready to parse, validate and serialise."""

    __slots__ = ("name", "method_name", "model", "input_shape", "bindings", "output")

    def __init__(self, model: OperationModel, cache: Dict[str, Converter]) -> None:
        self.name = model.name
        self.method_name = snake_case(model.name)
        self.model = model
        self.input_shape: Optional[StructureShape] = model.input_shape
        self.bindings = InputBindings(model)
        self.output = OutputSerializer(model, cache)


class Protocol:
    """The compiled AppFabric protocol: router, operations, validator, error shapes."""

    def __init__(self) -> None:
        model = service_model()
        self.model = model
        self.router = Router(model)
        cache: Dict[str, Converter] = {}
        self.operations: Dict[str, OperationSpec] = {
            name: OperationSpec(model.operation_model(name), cache) for name in model.operation_names
        }
        self.validator = Validator()
        self.error_shapes: Dict[str, StructureShape] = {
            shape.name: shape for shape in model.error_shapes
        }


_lock = threading.Lock()
_protocol: Optional[Protocol] = None


def protocol() -> Protocol:
    """The process-wide compiled protocol (built on first use)."""
    global _protocol
    if _protocol is None:
        with _lock:
            if _protocol is None:
                _protocol = Protocol()
    return _protocol
