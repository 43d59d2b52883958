"""The four folders of the design card (domain/, application/, adapters/, bootstrap/) are
installed and imported as `videoforge.<folder>`, under an implicit `videoforge` namespace.
Everything else about the distribution is in pyproject.toml."""

from setuptools import find_packages, setup

FOLDERS = ("domain", "application", "adapters", "bootstrap")

setup(
    packages=[f"videoforge.{name}" for name in find_packages(include=[f"{f}" for f in FOLDERS]
                                                            + [f"{f}.*" for f in FOLDERS])],
    package_dir={f"videoforge.{folder}": folder for folder in FOLDERS},
)
