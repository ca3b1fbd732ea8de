"""The built site in a real browser: headless Chromium (Debian's `chromium`)
opens a lesson page from disk, with no server and no network, and shows the
lesson's title and its architecture diagram."""

import pathlib
import shutil
import subprocess

import pytest
from PIL import Image

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]
DIAGRAM_ORANGE = (0xFF, 0x99, 0x00)  # the event bus in lessons/img/architectures.svg


@pytest.fixture(scope="module")
def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Debian's chromium is required (.ci/run installs it)"
    return path


@pytest.fixture(scope="module")
def site(cloudlab_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp("site-dist")
    root = pathlib.Path(__file__).resolve().parents[2]
    r = subprocess.run([str(cloudlab_bin), "build", "--out", str(out)], cwd=root,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return out / "site"


def run_chromium(chromium, tmp_path, *args):
    profile = tmp_path / "profile"
    cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_lesson_page_renders_title_and_diagram(chromium, site, tmp_path):
    page = next(site.glob("*-monolith-to-serverless.html"))
    url = page.resolve().as_uri()

    dom = run_chromium(chromium, tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr
    assert "<h1>From monolith to serverless</h1>" in dom.stdout
    assert 'src="img/architectures.svg"' in dom.stdout

    shot = tmp_path / "lesson.png"
    r = run_chromium(chromium, tmp_path, "--window-size=1280,1400", f"--screenshot={shot}", url)
    assert r.returncode == 0 and shot.exists(), r.stderr
    img = Image.open(shot).convert("RGB")
    assert img.size == (1280, 1400)
    pixels = img.load()
    w, h = img.size

    def count(colour, box):
        x0, y0, x1, y1 = box
        return sum(1 for x in range(x0, x1, 2) for y in range(y0, y1, 2)
                   if all(abs(a - b) <= 8 for a, b in zip(pixels[x, y], colour)))

    # The title: a band of dark heading text near the top of the content column.
    assert count((0x1F, 0x23, 0x28), (250, 60, 1100, 140)) > 200, "no title text rendered"
    # The diagram: its orange event bus is drawn somewhere on the first screen
    # (an <img> that failed to load would leave no orange at all).
    assert count(DIAGRAM_ORANGE, (0, 0, w, h)) > 100, "the architecture diagram did not render"


def test_index_lists_lessons_with_working_links(chromium, site, tmp_path):
    dom = run_chromium(chromium, tmp_path, "--dump-dom", (site / "index.html").resolve().as_uri())
    assert dom.returncode == 0, dom.stderr
    assert dom.stdout.index("From monolith to serverless") < dom.stdout.index("SQS: queues between")
