// Loads every page of the built documentation in headless Chromium and reports what a reader
// would see wrong: furo's error boxes, docutils' error messages, and content wider than the
// screen. Run by tests/test_docs_browser.py, which asserts on the JSON this prints:
//
//   node docs_pages.js <html folder> [screenshot folder]
//
// Environment: CHROMIUM, the browser to drive (default /usr/bin/chromium, Debian's package);
// DOCS_WIDTHS, the viewport widths in CSS pixels (default "1280,390").
//
// Output: one JSON object, {"pages": [{"page", "width", "problems": [...]}, ...]}; a page with
// no problem has an empty list. Screenshots (full page, one per page and width) are written
// only when a screenshot folder is given.
"use strict";

const fs = require("fs");
const path = require("path");
const { pathToFileURL } = require("url");
const { chromium } = require("playwright-core");

// Elements that are an error box for the reader: docutils' error messages (a build without -W
// keeps them in the page), a reference docutils could not resolve, and furo's red box around a
// `.. contents::` table of contents (furo already shows the page's contents beside it).
const ERROR_SELECTORS = [
  ".system-message",
  ".problematic",
  ".contents:not(.this-will-duplicate-information-and-it-is-still-useful-here)",
];

// Scroll containers a reader expects to scroll sideways: code and program output keep their
// lines (a wrapped command line would be wrong), whatever the screen.
const SCROLLS_BY_DESIGN = "div.highlight, div.highlight *, pre, pre *";

function pagesUnder(root) {
  const found = [];
  const walk = (folder) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        // Not pages of ours: Sphinx's copies of the sources, the static assets, and the
        // highlighted module sources of sphinx.ext.viewcode (code, which scrolls by design).
        if (!["_sources", "_static", "_images", "_modules"].includes(entry.name)) walk(full);
      } else if (entry.name.endsWith(".html")) {
        found.push(full);
      }
    }
  };
  walk(root);
  return found;
}

// Runs in the page: the problems a reader at this width would see.
function inspect({ errorSelectors, scrollsByDesign }) {
  const problems = [];
  const describe = (el) => {
    const id = el.id ? `#${el.id}` : "";
    const cls = typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\s+/).join(".") : "";
    const text = (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 80);
    return `<${el.tagName.toLowerCase()}${id}${cls}> ${JSON.stringify(text)}`;
  };
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") return false;
    const rect = el.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0;
  };
  for (const selector of errorSelectors) {
    for (const el of document.querySelectorAll(selector)) {
      problems.push({ kind: "error-box", selector, element: describe(el) });
    }
  }
  // Any other box a theme paints with an "ERROR:" label in generated content.
  for (const el of document.querySelectorAll("article *")) {
    const before = getComputedStyle(el, "::before").content || "";
    if (/^"ERROR\b/.test(before) && !errorSelectors.some((s) => el.matches(s))) {
      problems.push({ kind: "error-box", selector: "::before", element: describe(el) });
    }
  }
  const width = document.documentElement.clientWidth;
  const docWidth = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  if (docWidth > width + 1) {
    problems.push({ kind: "page-overflow", detail: `the page is ${docWidth}px wide in a ${width}px window` });
  }
  // The whole page, not just the article: on a narrow screen furo lets the box around the
  // article (.content) scroll sideways, so that is where too wide an article shows.
  for (const el of document.body.querySelectorAll("*")) {
    if (el.matches(scrollsByDesign) || !visible(el)) continue;
    const style = getComputedStyle(el);
    const scrolls = ["auto", "scroll"].includes(style.overflowX);
    if (scrolls && el.scrollWidth > el.clientWidth + 1) {
      // Content hidden sideways in a box the reader has to scroll (a wide table in furo's wrapper).
      problems.push({
        kind: "scrolls-sideways",
        detail: `${el.scrollWidth}px of content in a ${el.clientWidth}px box`,
        element: describe(el),
      });
    }
  }
  // Content that sticks out of the window without any scroll bar (cut off, or the page pans).
  const main = document.querySelector("article") || document.body;
  for (const el of main.querySelectorAll("*")) {
    if (el.closest(scrollsByDesign) || !visible(el)) continue;
    const rect = el.getBoundingClientRect();
    if (rect.right > width + 1) {
      let clipped = false;
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== "visible") { clipped = true; break; }
      }
      if (!clipped) {
        problems.push({ kind: "beyond-window", detail: `right edge at ${Math.round(rect.right)}px of ${width}px`,
          element: describe(el) });
      }
    }
  }
  return problems;
}

async function main() {
  const [root, shots] = process.argv.slice(2);
  if (!root) throw new Error("usage: node docs_pages.js <html folder> [screenshot folder]");
  const widths = (process.env.DOCS_WIDTHS || "1280,390").split(",").map((w) => parseInt(w, 10));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    // As root (CI) Chromium needs --no-sandbox; the pages are our own local files.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  const results = [];
  try {
    for (const width of widths) {
      const context = await browser.newContext({ viewport: { width, height: 900 }, reducedMotion: "reduce" });
      // Local files only: a request for anything else (a web font, a script from a CDN) is reported,
      // since a reader offline, or behind a strict proxy, would get a page without it.
      let blocked = [];
      await context.route(/^(?!(file|data|blob):)/, (route) => {
        blocked.push(route.request().url());
        return route.abort();
      });
      const page = await context.newPage();
      for (const file of pagesUnder(root)) {
        const name = path.relative(root, file).split(path.sep).join("/");
        blocked = [];
        await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
        const problems = await page.evaluate(inspect, { errorSelectors: ERROR_SELECTORS, scrollsByDesign: SCROLLS_BY_DESIGN });
        for (const url of blocked) problems.push({ kind: "network-request", detail: url });
        results.push({ page: name, width, problems });
        if (shots) {
          const out = path.join(shots, `${name.replace(/\//g, "__").replace(/\.html$/, "")}-${width}.png`);
          fs.mkdirSync(path.dirname(out), { recursive: true });
          await page.screenshot({ path: out, fullPage: true });
        }
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify({ pages: results }) + "\n");
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
