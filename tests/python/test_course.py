"""`cloudlab build` and `cloudlab new` as an author uses them: every built
notebook is valid nbformat 4.5 (the reference validator), jupytext reads every
lesson source, ids are stable, bad sources are reported all at once."""

import json
import pathlib
import re
import subprocess

import jupytext
import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
LESSONS = sorted(p for p in (ROOT / "lessons").glob("*.md") if p.name != "README.md")
ID_RE = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")


def build(cloudlab_bin, out, *extra, lessons=None, cwd=ROOT):
    args = [str(cloudlab_bin), "build", "--out", str(out), *extra]
    if lessons is not None:
        args += ["--lessons", str(lessons)]
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="session")
def dist(cloudlab_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    r = build(cloudlab_bin, out)
    assert r.returncode == 0, r.stderr
    return out


def notebooks(dist):
    found = sorted((dist / "student").glob("*.ipynb")) + sorted((dist / "instructor").glob("*.ipynb"))
    assert len(found) == 2 * len(LESSONS)
    return found


def test_there_are_lessons():
    slugs = [p.stem for p in LESSONS]
    assert "monolith-to-serverless" in slugs and "sqs-basics" in slugs


def test_every_notebook_is_valid_nbformat_4_5(dist):
    for path in notebooks(dist):
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        nbformat.validate(nb)  # raises on any schema error
        assert (nb.nbformat, nb.nbformat_minor) == (4, 5), path
        assert nb.metadata.kernelspec == {
            "name": "cloudlab", "display_name": "Cloudlab (Rust)", "language": "rust",
        }
        assert nb.metadata.language_info["name"] == "rust"
        ids = [c.id for c in nb.cells]
        assert len(ids) == len(set(ids)), f"duplicate cell ids in {path}"
        assert all(ID_RE.match(i) for i in ids), path


def test_cell_ids_and_files_are_stable_across_rebuilds(dist, cloudlab_bin, tmp_path):
    r = build(cloudlab_bin, tmp_path)
    assert r.returncode == 0, r.stderr
    for path in notebooks(dist):
        again = tmp_path / path.parent.name / path.name
        assert again.read_bytes() == path.read_bytes(), path.name


def test_jupytext_reads_every_lesson_like_the_builder(dist):
    for src in LESSONS:
        text_nb = jupytext.read(src)
        assert text_nb.metadata["kernelspec"]["name"] == "cloudlab", src
        built = nbformat.read(next((dist / "student").glob(f"*-{src.stem}.ipynb")), as_version=4)
        # jupytext's code cells are the lesson's own code cells, in order; the
        # builder adds only the exercise cells (tagged) to them.
        ours = [c.source for c in built.cells
                if c.cell_type == "code" and not set(c.metadata.get("tags", [])) & {"exercise", "exercise-check"}]
        theirs = [c.source for c in text_nb.cells if c.cell_type == "code"]
        assert ours == theirs, src


def test_exercise_cells_students_get_starters_instructors_solutions(dist):
    ex_root = ROOT / "exercises"
    seen = 0
    for student_path in sorted((dist / "student").glob("*.ipynb")):
        student = nbformat.read(student_path, as_version=4)
        instructor = nbformat.read(dist / "instructor" / student_path.name, as_version=4)
        assert [c.id for c in student.cells] == [c.id for c in instructor.cells]
        for s, i in zip(student.cells, instructor.cells):
            if "exercise" not in s.metadata.get("tags", []):
                assert s.source == i.source
                continue
            seen += 1
            grade_id = s.metadata.nbgrader["grade_id"]
            assert s.metadata.nbgrader["solution"] is True
            assert s.metadata.nbgrader["schema_version"] == 3
            assert s.metadata.nbgrader["points"] > 0
            assert s.source.splitlines()[0] == f"// exercise: {grade_id}"
            assert s.source.strip() == (ex_root / grade_id / "starter.rs").read_text().strip()
            assert i.source.strip() == (ex_root / grade_id / "solution.rs").read_text().strip()
            nxt = student.cells[student.cells.index(s) + 1]
            assert nxt.source == f":check {grade_id}"
    assert seen >= 1, "lesson 2 uses at least one exercise"


def test_site_has_every_lesson_in_order_and_no_network(dist):
    site = dist / "site"
    index = (site / "index.html").read_text()
    titles = [jupytext.read(p).metadata["title"] for p in LESSONS]
    orders = [jupytext.read(p).metadata["order"] for p in LESSONS]
    expected = [t for _, t in sorted(zip(orders, titles))]
    positions = [index.index(t.replace('"', "&quot;")) for t in expected]
    assert positions == sorted(positions)
    for page in site.glob("*.html"):
        html = page.read_text()
        assert not re.search(r'(src|href)="(https?:)?//', html), f"{page.name} loads from the network"
        for ref in re.findall(r'(?:src|href)="([^"#]+)"', html):
            target = (site / ref.replace("&#x2F;", "/")).resolve()
            assert target.exists(), f"{page.name} links to missing {ref}"
    solutions = [(ROOT / "exercises" / d / "solution.rs").read_text() for d in ("sqs-idempotent-consumer",)]
    lesson2 = next(site.glob("*-sqs-basics.html")).read_text()
    assert "BTreeSet" not in lesson2 and "BTreeSet" in solutions[0], "the site shows starters, not solutions"


BAD_FRONT = "---\ntitle: Broken\nsummary: s\norder: 7\nobjectives: [o]\nestimated_minutes: twenty\n---\n\nText.\n"
BAD_BODY = """---
title: Also broken
summary: s
order: 8
objectives: [o]
estimated_minutes: 20
---

```{sparkle}
x
```

```{exercise} no-such-exercise
```

```{code-cell} rust
let never_closed = 1;
"""


def test_bad_sources_are_all_reported_with_lines_and_nothing_is_written(cloudlab_bin, tmp_path):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "broken.md").write_text(BAD_FRONT)
    (lessons / "also-broken.md").write_text(BAD_BODY)
    out = tmp_path / "dist"
    r = build(cloudlab_bin, out, lessons=lessons)
    assert r.returncode == 2
    err = r.stderr
    assert re.search(r"broken\.md:6: front matter: estimated_minutes", err), err
    assert re.search(r"also-broken\.md:9: unknown directive `\{sparkle\}`", err), err
    assert re.search(r"also-broken\.md:13: unknown exercise `no-such-exercise`", err), err
    assert re.search(r"also-broken\.md:16: unclosed fence ```\{code-cell\} rust", err), err
    assert "4 problem(s)" in err and "nothing was written" in err
    assert not out.exists()


def test_new_lesson_scaffold_builds(cloudlab_bin, tmp_path):
    lessons = tmp_path / "lessons"
    r = subprocess.run([str(cloudlab_bin), "new", "lesson", "event-buses", "--lessons", str(lessons)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    src = lessons / "event-buses.md"
    assert jupytext.read(src).metadata["title"] == "Event buses"
    again = subprocess.run([str(cloudlab_bin), "new", "lesson", "event-buses", "--lessons", str(lessons)],
                           capture_output=True, text=True, timeout=60)
    assert again.returncode != 0 and "already exists" in again.stderr
    r = build(cloudlab_bin, tmp_path / "dist", lessons=lessons)
    assert r.returncode == 0, r.stderr
    nb = nbformat.read(tmp_path / "dist" / "student" / "01-event-buses.ipynb", as_version=4)
    nbformat.validate(nb)


def test_new_exercise_scaffold_passes_the_graders_author_checks(cloudlab_bin, tmp_path):
    exercises = tmp_path / "exercises"
    r = subprocess.run([str(cloudlab_bin), "new", "exercise", "count-visible", "--lesson", "sqs-basics",
                        "--exercises", str(exercises)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(cloudlab_bin), "check", "--exercises-dir", str(exercises), "count-visible"],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 exercise(s) ok" in r.stdout, r.stdout
    # And a lesson can use it at once.
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    text = (ROOT / "lessons" / "sqs-basics.md").read_text().split("## Why a queue?")[0]
    (lessons / "sqs-basics.md").write_text(text.replace("prerequisites:\n  - monolith-to-serverless\n", "")
                                           + "\n```{exercise} count-visible\n```\n")
    out = tmp_path / "dist"
    r = subprocess.run([str(cloudlab_bin), "build", "--out", str(out), "--lessons", str(lessons),
                        "--exercises", str(exercises)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    nb = nbformat.read(out / "instructor" / "02-sqs-basics.ipynb", as_version=4)
    assert any(c.source.startswith("// exercise: count-visible") and ".visible)" in c.source for c in nb.cells)
