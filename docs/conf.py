"""Sphinx configuration for appfabric-mock."""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "_ext"))
sys.path.insert(0, os.path.dirname(HERE))

import appfabric_mock  # noqa: E402

project = "appfabric-mock"
author = "appfabric-mock developers"
copyright = "2026, appfabric-mock developers"
release = appfabric_mock.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "operations_table",
    "benchmark_results",
    "furo_guard",
]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
# Types of the parameters a docstring describes (a bare list of every parameter's type would
# repeat what the signature shows); return types always.
autodoc_typehints_description_target = "documented_params"
# No "members" default: a default that is not a string overrides a directive's own member
# list (api.rst names the members of each class it documents).
autodoc_default_options = {"show-inheritance": True}
intersphinx_mapping = {}
nitpicky = False

html_theme = "furo"
html_title = "appfabric-mock"
html_static_path = ["_static"]
html_css_files = ["appfabric.css"]
exclude_patterns = ["_build"]
