"""Which error codes each operation may answer: the errors its model lists, and a short list of others.

AWS answers an operation with the errors botocore's model lists for it.  Two more
codes are documented by AWS without being modelled, and the mock answers them
where AWS says it does:

* ``IdempotentParameterMismatch``: a ``clientToken`` used again with other
  parameters, on the operations with an idempotency token (the API reference of
  each Create operation names the code);
* ``InvalidToken``: an expired ``nextToken`` (HTTP 400), on the operations that
  take one (the model's documentation of ``nextToken`` names it).

``UnknownOperationException`` answers a request that matches no operation at all.
The test suite checks every error the mock answers against this, statically (the
``Raises:`` sections of the backend's docstrings) and for every call it makes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, FrozenSet

if TYPE_CHECKING:
    from botocore.model import OperationModel

#: Unmodelled codes the mock answers, and where AWS documents them.
UNMODELLED_ERRORS: Dict[str, str] = {
    "IdempotentParameterMismatch": "a clientToken used again with other parameters "
                                   "(AWS API reference of each Create operation)",
    "InvalidToken": "an expired nextToken, HTTP 400 (the model's documentation of nextToken)",
}

#: The code of a request that matches no operation (there is no operation to model it).
UNKNOWN_OPERATION = "UnknownOperationException"


def answerable_errors(operation: "OperationModel") -> FrozenSet[str]:
    """The error codes ``operation`` may answer: its modelled errors plus the documented extras."""
    codes = {shape.name for shape in operation.error_shapes}
    if operation.idempotent_members:
        codes.add("IdempotentParameterMismatch")
    input_shape = operation.input_shape
    if input_shape is not None and "nextToken" in input_shape.members:
        codes.add("InvalidToken")
    return frozenset(codes)
