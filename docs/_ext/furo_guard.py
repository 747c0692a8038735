"""Sphinx extension: a warning (so, under ``-W``, a failed build) for markup furo renders as an error.

furo shows every page's table of contents itself (beside the page on a wide screen, behind the
contents button on a narrower one), so it paints a ``.. contents::`` directive as a red box
that starts "ERROR: Adding a table of contents in Furo-based documentation is unnecessary".
Docutils and Sphinx see nothing wrong with the directive, so without this check the box is
only found by someone reading the built page. furo's escape hatch, the class
``this-will-duplicate-information-and-it-is-still-useful-here``, is honoured.

``tests/test_docs_browser.py`` looks at the built pages in Chromium for the same boxes and for
any other error box; this extension stops the build earlier, with the file and line.
"""

from __future__ import annotations

from typing import Any, Dict

#: furo's class for a ``.. contents::`` that is wanted anyway (``:class:`` of the directive).
ESCAPE_HATCH = "this-will-duplicate-information-and-it-is-still-useful-here"


def contents_topics(doctree: Any) -> list:
    """The ``.. contents::`` tables of a doctree that furo would paint as an error."""
    from docutils import nodes

    return [node for node in doctree.findall(nodes.topic)
            if "contents" in node["classes"] and ESCAPE_HATCH not in node["classes"]]


def setup(app: Any) -> Dict[str, Any]:
    from sphinx.util import logging

    logger = logging.getLogger(__name__)

    def check(app: Any, doctree: Any) -> None:
        if app.config.html_theme != "furo":
            return
        for node in contents_topics(doctree):
            logger.warning(
                "a '.. contents::' table of contents: furo shows the page's contents itself and renders "
                "this one as a red error box; remove it (or add the class %s if it is really wanted)",
                ESCAPE_HATCH, location=node, type="furo", subtype="contents")

    app.connect("doctree-read", check)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
