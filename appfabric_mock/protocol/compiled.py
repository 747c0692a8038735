"""Everything the protocol layer derives from the model, built once per process."""

from __future__ import annotations

import threading
from typing import Dict, Iterable, Optional

from botocore.model import OperationModel, StructureShape

from .._model import service_model
from .fast_serialization import FastConversion, FastOutputSerializer
from .parsing import InputBindings
from .routing import Router
from .serialization import Converter
from .shapes import ShapeCompiler
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

    def __init__(self, model: OperationModel, converters: ShapeCompiler[Converter]) -> None:
        self.name = model.name
        self.method_name = snake_case(model.name)
        self.model = model
        self.input_shape: Optional[StructureShape] = model.input_shape
        self.bindings = InputBindings(model)
        self.output = FastOutputSerializer(model, converters)


class Protocol:
    """The compiled AppFabric protocol: router, operations, validator, error shapes."""

    def __init__(self) -> None:
        model = service_model()
        self.model = model
        self.router = Router(model)
        converters: ShapeCompiler[Converter] = ShapeCompiler(FastConversion())
        self.operations: Dict[str, OperationSpec] = {
            name: OperationSpec(model.operation_model(name), converters) for name in model.operation_names
        }
        self.validator = Validator()
        self.error_shapes: Dict[str, StructureShape] = {
            shape.name: shape for shape in model.error_shapes
        }

    def check_operation(self, operation: str) -> None:
        """Raise ValueError for a name that is not an AppFabric operation (a typo would pass silently)."""
        if operation not in self.operations:
            raise ValueError(f"{operation!r} is not an AppFabric operation{did_you_mean(operation, self.operations)}")


def did_you_mean(name: str, names: Iterable[str], prefix: str = "") -> str:
    """``; did you mean X, Y?`` naming the closest of ``names``, or ``""``."""
    import difflib

    close = difflib.get_close_matches(name, list(names), n=3)
    return f"; did you mean {', '.join(prefix + c for c in close)}?" if close else ""


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


def check_operation(operation: str) -> None:
    """Raise ValueError for a name that is not an AppFabric operation (a typo would pass silently)."""
    protocol().check_operation(operation)
