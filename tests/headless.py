"""Headless Chromium for the HTML report tests: render a page, read its DOM, take a screenshot.

The browser is Debian's ``chromium`` (``tests/install-chromium.sh`` installs it; the README's test command
runs that script). Without it a browser test is skipped on a developer's machine, but fails under CI
(``CI`` set): there the pages must really be looked at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""What Chromium needs to start as root on a machine with no network and no screen, and stay quiet."""


def chromium() -> str:
    """The browser's path; skips the test where there is none (fails under CI)."""
    found = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("no Chromium under CI: the test command runs tests/install-chromium.sh first")
        pytest.skip("no Chromium on this machine (sh tests/install-chromium.sh, or apt-get install chromium)")
    return found


def _run(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    browser = chromium()
    cmd = [browser, *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def dom(page: Path, profile: Path) -> str:
    """The page's DOM after Chromium has loaded and laid it out (``--dump-dom``)."""
    return _run(page, profile, "--dump-dom").stdout


def screenshot(page: Path, profile: Path, shot: Path, size: str = "1100,1400") -> dict[tuple[int, int, int], int]:
    """A PNG of the page's first screen, and how many pixels of each colour it holds (charts draw colour)."""
    from PIL import Image  # matplotlib's own dependency

    _run(page, profile, f"--screenshot={shot}", f"--window-size={size}", "--hide-scrollbars")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(shot) as img:
        colours = img.convert("RGB").getcolors(maxcolors=1 << 24) or []
    return {rgb: n for n, rgb in colours}


def coloured(colours: dict[tuple[int, int, int], int]) -> int:
    """Pixels that are neither grey nor white: what bars, lines and coloured cells paint."""
    return sum(n for (r, g, b), n in colours.items() if max(r, g, b) - min(r, g, b) > 40)


PROBE = """<script>
window.__errors = [];
window.addEventListener("error", (e) => window.__errors.push(String(e.message)));
const _error = console.error;
console.error = (...args) => { window.__errors.push(args.join(" ")); _error(...args); };
window.addEventListener("load", () => {
  const charts = [...document.querySelectorAll("figure[id^=chart-]")].map((f) => {
    const svg = f.querySelector("svg");
    const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
    const style = getComputedStyle(f);
    return { id: f.id, width: box.width, height: box.height,
             shown: style.display !== "none" && style.visibility !== "hidden" };
  });
  const headings = [...document.querySelectorAll("h2")].map((h) => h.textContent);
  const out = document.createElement("pre");
  out.id = "__probe";
  out.textContent = JSON.stringify({ errors: window.__errors, charts, headings });
  document.body.appendChild(out);
});
</script>"""
"""Injected at the top of a copy of a page: records script errors and console errors, and on load each
chart's laid-out size and visibility and the page's section headings."""


def inspect(page: Path, profile: Path) -> dict[str, Any]:
    """Load a copy of ``page`` with ``PROBE`` injected in headless Chromium: its errors (script errors,
    console errors, and Chromium's own console log lines at error level), charts and section headings."""
    import json
    import re

    text = page.read_text(encoding="utf-8")
    probed = page.with_name(page.stem + ".probe.html")
    probed.write_text(text.replace("<head>", "<head>\n" + PROBE, 1), encoding="utf-8")
    done = _run(probed, profile, "--dump-dom", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000")
    found = re.search(r'<pre id="__probe">(.*?)</pre>', done.stdout, re.S)
    assert found, "the probe did not run: " + done.stdout[-500:]
    import html

    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    lines = done.stderr.splitlines()
    console = [line for line in lines if "CONSOLE" in line and ("Uncaught" in line or "rror" in line)]
    result["errors"] = [*result["errors"], *console]
    return result
