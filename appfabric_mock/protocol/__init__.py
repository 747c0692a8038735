"""AppFabric's rest-json protocol, derived from botocore's service model (nothing per operation).

* ``compiled``: everything below, built once per process (:func:`compiled.protocol`), and the
  operation-name check.
* ``routing``: (method, raw path) -> operation and URI labels.
* ``parsing``: URI labels, query string, headers and JSON body -> parameters.
* ``validation``: parameters against every constraint of the input shape.
* ``serialization``: results and errors -> status, headers and JSON, as the model says;
  ``fast_serialization``: the same bytes, written with less work.
* ``shapecheck``: a value against a shape (responses and injected errors, as botocore's Stubber).
* ``shapes``: the walker the four uses above share: one function per shape, compiled once.
* ``sensitive``: what is a secret; ``redaction``: copies with every secret replaced.
"""
