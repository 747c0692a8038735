"""The documentation site, built and read in a real browser: no error box, nothing off screen.

The site is built as ``.ci/run`` builds it (Sphinx, furo, ``-W``) into a temporary folder, and
``tests/js/docs_pages.js`` loads every page in headless Chromium (driven by playwright-core from
``tests/js``) at a laptop's width (1280 px) and a phone's (360 px). A page fails when it shows:

* an error box: furo's red box around a ``.. contents::`` table, a docutils error message, an
  unresolved reference, or any box a theme labels "ERROR";
* content wider than the window: the page itself scrolls sideways, an element sticks out of
  the window, or a box (a table's wrapper, say) hides content the reader must scroll sideways
  to see. Code blocks are exempt: their lines are kept, and they scroll by design;
* a request for anything but local files (a font or script from the network).

Needs Debian's ``chromium`` (``.ci/run`` installs it when missing; ``CHROMIUM`` names another
build) and Node.js with ``tests/js`` installed (``npm install`` in that folder; the fixture
runs it when ``playwright-core`` is missing). Without them the tests fail, they do not skip.
Set ``APPFABRIC_DOCS_SCREENSHOTS`` to a folder to keep a full-page screenshot of every page at
both widths, for a person to look at.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from test_js_sdk import JS_DIR, _node_env, _npm_install, node  # noqa: F401  (node: the session fixture)

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CHECKER = JS_DIR / "docs_pages.js"
PLAYWRIGHT = JS_DIR / "node_modules" / "playwright-core" / "package.json"
WIDTHS = (1280, 360)
BUILD_TIMEOUT = 600
CHECK_TIMEOUT = 600
#: furo's class for a ``.. contents::`` that is wanted anyway.
ESCAPE_HATCH = "this-will-duplicate-information-and-it-is-still-useful-here"


def chromium_path() -> str:
    candidates = [os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                  shutil.which("chromium-browser")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail("Chromium is needed to check the documentation in a browser: `apt-get install -y chromium` "
                "(Debian; .ci/run does this), or set CHROMIUM to a Chromium or Chrome executable", pytrace=False)


@pytest.fixture(scope="module")
def browser(node: str) -> Dict[str, str]:  # noqa: F811
    """Node.js with playwright-core in tests/js, and the Chromium it drives."""
    if not PLAYWRIGHT.exists():
        npm = shutil.which("npm")
        assert npm is not None
        _npm_install(npm, needed=PLAYWRIGHT)
    if not PLAYWRIGHT.exists():
        pytest.fail(f"npm install did not provide playwright-core ({PLAYWRIGHT})", pytrace=False)
    return {"node": node, "chromium": chromium_path()}


def sphinx_build(source: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", *extra, "-b", "html", str(source), str(out)],
        capture_output=True, text=True, timeout=BUILD_TIMEOUT, cwd=str(ROOT),
    )


def check_pages(browser: Dict[str, str], html: Path, shots: str = "") -> List[Dict[str, Any]]:
    env = _node_env()
    env.update(CHROMIUM=browser["chromium"], DOCS_WIDTHS=",".join(map(str, WIDTHS)))
    args = [browser["node"], str(CHECKER), str(html)] + ([shots] if shots else [])
    done = subprocess.run(args, cwd=str(JS_DIR), env=env, capture_output=True, text=True,
                          timeout=CHECK_TIMEOUT, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"docs_pages.js failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    pages: List[Dict[str, Any]] = json.loads(done.stdout)["pages"]
    return pages


def report(pages: List[Dict[str, Any]]) -> str:
    lines = []
    for page in pages:
        for problem in page["problems"]:
            where = problem.get("element") or problem.get("detail")
            lines.append(f"{page['page']} at {page['width']}px: {problem['kind']}: {where}")
    return "\n".join(lines)


def test_every_page_reads_well_at_a_laptops_and_a_phones_width(browser: Dict[str, str], tmp_path: Path) -> None:
    html = tmp_path / "html"
    built = sphinx_build(DOCS, html, "-W", "--keep-going")
    assert built.returncode == 0, f"the documentation does not build:\n{built.stdout}\n{built.stderr}"
    pages = check_pages(browser, html, os.environ.get("APPFABRIC_DOCS_SCREENSHOTS", ""))
    sources = sorted(p.relative_to(DOCS).with_suffix(".html").as_posix() for p in DOCS.rglob("*.rst")
                     if "_build" not in p.parts)
    checked = {(page["page"], page["width"]) for page in pages}
    # Every page of ours, at every width (plus Sphinx's own: the index, search).
    assert {(source, width) for source in sources for width in WIDTHS} <= checked
    assert report(pages) == ""


# -- the check itself ----------------------------------------------------------------------------

BROKEN_PAGE = """\
Broken
======

.. contents::

A reference to :unknownrole:`nothing`.

.. raw:: html

   <div style="width: 3000px">A box wider than any window.</div>

.. list-table::
   :header-rows: 1

   * - Name
     - What
   * - ``{word}``
     - ``{word}``

Fine
----

.. code-block:: text

   {word}
"""

CONF = """\
import sys
sys.path.insert(0, {ext!r})
html_theme = "furo"
extensions = {extensions!r}
"""


def _project(folder: Path, page: str, extensions: List[str]) -> Path:
    folder.mkdir()
    (folder / "conf.py").write_text(CONF.format(ext=str(DOCS / "_ext"), extensions=extensions))
    (folder / "index.rst").write_text(page)
    return folder


def test_the_check_finds_error_boxes_and_content_off_screen(browser: Dict[str, str], tmp_path: Path) -> None:
    word = "x" * 300  # one word, wider than any window
    source = _project(tmp_path / "src", BROKEN_PAGE.format(word=word), [])
    built = sphinx_build(source, tmp_path / "html")  # no -W: the broken page is built anyway
    assert built.returncode == 0, built.stderr
    pages = {(page["page"], page["width"]): page["problems"] for page in check_pages(browser, tmp_path / "html")}
    for width in WIDTHS:
        problems = pages[("index.html", width)]
        kinds = {problem["kind"] for problem in problems}
        selectors = {problem.get("selector") for problem in problems if problem["kind"] == "error-box"}
        # The table scrolls in furo's wrapper; the wide box pushes the page out (on a laptop) or
        # makes the box around the article scroll (furo's layout for a phone).
        off_screen = [str(problem.get("element", "")) for problem in problems if problem["kind"] != "error-box"]
        assert any("table-wrapper" in element for element in off_screen), problems
        assert any("table-wrapper" not in element for element in off_screen), problems
        assert "error-box" in kinds, problems
        assert f".contents:not(.{ESCAPE_HATCH})" in selectors
        assert selectors & {".system-message", ".problematic"}, problems
        # The code block's long line scrolls by design, and is not reported.
        assert not any("highlight" in str(problem.get("element", "")) for problem in problems), problems


def test_a_contents_directive_fails_the_build(tmp_path: Path) -> None:
    page = "Page\n====\n\n.. contents::\n\nSection\n-------\n\nText.\n"
    source = _project(tmp_path / "src", page, ["furo_guard"])
    built = sphinx_build(source, tmp_path / "html", "-W")
    assert built.returncode != 0
    assert "index.rst" in built.stderr and "furo shows the page's contents itself" in built.stderr

    wanted = page.replace(".. contents::", ".. contents::\n   :class: " + ESCAPE_HATCH)
    (source / "index.rst").write_text(wanted)
    rebuilt = sphinx_build(source, tmp_path / "html2", "-W")
    assert rebuilt.returncode == 0, rebuilt.stderr
