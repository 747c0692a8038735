"""Shared test set-up: every mock in the suite checks its responses against the model."""

from __future__ import annotations

import os

os.environ["APPFABRIC_MOCK_CHECK_RESPONSES"] = "1"

from network import blocked_network  # noqa: E402,F401  # a fixture for every test module
