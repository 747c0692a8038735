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
        #: boto3's method name -> operation name, built when first needed.
        self._method_names: Optional[Dict[str, str]] = None

    def check_operation(self, operation: str) -> None:
        """Raise ValueError for a name that is not an AppFabric operation (a typo would pass silently)."""
        if operation not in self.operations:
            self.operation_name(operation)

    def operation_name(self, operation: str) -> str:
        """The operation named as in the model (``CreateAppBundle``) or as boto3's method (``create_app_bundle``).

        :raises TypeError: for a name that is not a string.
        :raises ValueError: for a name of neither form, with the closest names.
        """
        if operation in self.operations:
            return operation
        if not isinstance(operation, str):
            raise TypeError(f"an AppFabric operation name is a string, not {type(operation).__name__}")
        methods = self._methods()
        found = methods.get(operation)
        if found is not None:
            return found
        # The hint in the form the caller used.
        names = methods if "_" in operation or operation.islower() else self.operations
        raise ValueError(f"{operation!r} is not an AppFabric operation{did_you_mean(operation, names)}")

    def _methods(self) -> Dict[str, str]:
        methods = self._method_names
        if methods is None:
            from botocore import xform_name

            methods = self._method_names = {xform_name(name): name for name in self.operations}
        return methods


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


def operation_name(operation: str) -> str:
    """The model's name of an operation given as in the model or as boto3's method (see :class:`Protocol`)."""
    return protocol().operation_name(operation)
