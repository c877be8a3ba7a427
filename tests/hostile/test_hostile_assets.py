"""Malformed files from the people who edit the catalog: every one is refused with a clear error
that names the file and the line, never a traceback or a half-loaded catalog."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from motcua.catalog import CatalogError, load_catalog

ROOT = Path(__file__).resolve().parents[2]
PERMIT = "gpxd-cong-trinh-cap-i-ii.yaml"
BROKEN = {
    "not yaml": "code: [unclosed\n  name: {\n",
    "a list, not a procedure": "- 1\n- 2\n",
    "empty file": "",
    "a NUL byte": "\tcode:\t\x00\n",
    "python object tag": "!!python/object/apply:os.system ['echo pwned > /tmp/hostile-pwned']\n",
    "billion laughs": "a: &a ['x','x','x','x','x','x','x','x','x']\n"
                      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
}


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    directory = tmp_path / "catalog"
    shutil.copytree(ROOT / "catalog", directory)
    return directory


@pytest.mark.parametrize("content", [
    pytest.param(content, id=name)
    for name, content in BROKEN.items()])
def test_a_broken_catalog_file_is_named_in_a_clear_error(catalog_copy, content):
    (catalog_copy / "hong.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(CatalogError) as refused:
        load_catalog(catalog_copy)
    assert "hong.yaml" in str(refused.value)
    assert not Path("/tmp/hostile-pwned").exists()


@pytest.mark.parametrize(("old", "new"), [
    ("deadline:", "deadline_typo:"),
    ("process_id: construction-permit", "process_id: 42\nunknown_key_here: 1"),
])
def test_a_damaged_procedure_is_refused_with_its_line(catalog_copy, old, new):
    path = catalog_copy / PERMIT
    text = path.read_text(encoding="utf-8")
    if old not in text:
        pytest.skip(f"{old} not in {PERMIT}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogError) as refused:
        load_catalog(catalog_copy)
    assert any(str(problem.file).endswith(PERMIT) and problem.line > 0 for problem in refused.value.problems)


def test_the_catalog_check_command_reports_a_broken_file_without_a_traceback(catalog_copy):
    (catalog_copy / "hong.yaml").write_text(BROKEN["not yaml"], encoding="utf-8")
    checked = subprocess.run([sys.executable, "-m", "motcua", "catalog", "check"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60,
                             env={"PATH": "/usr/bin:/bin", "MOTCUA_CATALOG_DIR": str(catalog_copy),
                                  "MOTCUA_DATA_DIR": str(catalog_copy.parent)})
    assert checked.returncode != 0
    output = checked.stdout + checked.stderr
    assert "hong.yaml" in output and "Traceback" not in output
