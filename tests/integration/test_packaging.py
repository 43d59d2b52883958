"""videoforge installs one import root, `videoforge`, so that it can live in a host backend's
environment next to that backend's own `domain` or `adapters` packages."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("domain", "application", "adapters", "bootstrap")


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_only_videoforge_imports_from_outside_the_checkout(tmp_path):
    ok = run_python("import videoforge.domain, videoforge.application, videoforge.adapters.fakes, "
                    "videoforge.bootstrap.cli; print(videoforge.domain.VideoRequest.__name__)", tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "VideoRequest"
    for name in FOLDERS:
        bare = run_python(f"import {name}", tmp_path)
        assert bare.returncode != 0, f"`import {name}` found a package outside the checkout"
        assert "ModuleNotFoundError" in bare.stderr


def test_a_host_package_named_domain_is_not_shadowed(tmp_path):
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "__init__.py").write_text("OWNER = 'host'\n")
    both = run_python("import domain, videoforge.domain; print(domain.OWNER, videoforge.domain.DomainError.__name__)",
                      tmp_path)
    assert both.returncode == 0, both.stderr
    assert both.stdout.split() == ["host", "DomainError"]


def test_the_wheel_holds_only_the_videoforge_tree_with_its_type_marker(tmp_path):
    source = tmp_path / "source"  # a copy: building writes build/ and egg-info next to the sources
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "videoforge-data", "__pycache__", ".*_cache"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
                            "-w", str(tmp_path), str(source)], capture_output=True, text=True, timeout=600)
    if built.returncode != 0 and "No matching distribution found for setuptools" in built.stderr:
        pytest.skip("the build backend (setuptools) cannot be fetched here")
    assert built.returncode == 0, built.stderr[-2000:]
    [wheel] = tmp_path.glob("videoforge-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/", 1)[0] for name in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"videoforge"}
    assert "videoforge/__init__.py" not in names  # an implicit namespace: room for videoforge-* plugins
    for folder in FOLDERS:
        assert f"videoforge/{folder}/__init__.py" in names
        assert f"videoforge/{folder}/py.typed" in names
    assert "videoforge/adapters/sql/migrations/script.py.mako" in names
    for page in ("index.html", "console.js", "console.css"):  # the browser console, served by the app
        assert f"videoforge/adapters/http/console/static/{page}" in names
    assert any(n.startswith("videoforge/adapters/sql/migrations/versions/0001") for n in names)
    assert not any(n.startswith("videoforge/tests") or n.startswith("tests/") for n in names)


def test_the_built_wheel_and_sdist_pass_twine_check(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "videoforge-data", "__pycache__", ".*_cache"))
    built = subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(tmp_path / "dist"),
                            str(source)], capture_output=True, text=True, timeout=600)
    if built.returncode != 0 and "No matching distribution found for setuptools" in built.stdout + built.stderr:
        pytest.skip("the build backend (setuptools) cannot be fetched here")
    assert built.returncode == 0, (built.stdout + built.stderr)[-2000:]
    artifacts = sorted(str(p) for p in (tmp_path / "dist").iterdir())
    assert sorted(Path(a).suffix for a in artifacts) == [".gz", ".whl"]
    checked = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *artifacts],
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0 and checked.stdout.count("PASSED") == 2, checked.stdout + checked.stderr
    [wheel] = (tmp_path / "dist").glob("*.whl")
    metadata = next(zipfile.ZipFile(wheel).read(n) for n in zipfile.ZipFile(wheel).namelist()
                    if n.endswith(".dist-info/METADATA")).decode()
    assert "Classifier: Typing :: Typed" in metadata and "License-Expression: MIT" in metadata
    assert "Description-Content-Type: text/markdown" in metadata and "## Plans: what a user may spend" in metadata
    for label in ("Homepage", "Documentation", "Changelog", "Issues"):
        assert f"Project-URL: {label}, https://" in metadata, label
