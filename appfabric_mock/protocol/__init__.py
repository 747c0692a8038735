"""The model-driven rest-json protocol: routing, parsing, validation, serialisation."""
