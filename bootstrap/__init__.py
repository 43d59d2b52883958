"""The composition root: settings, the container, entry points. The only code that reads the
environment or knows dependency-injector. Its names are imported on first use, so that the
console script (`bootstrap.cli`) imports only what the command it runs needs."""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from videoforge.bootstrap.catalog import ConfigurationError, load_catalog
    from videoforge.bootstrap.container import Container, build_container
    from videoforge.bootstrap.runtime import open_container
    from videoforge.bootstrap.settings import Settings

_HOMES = {"ConfigurationError": "catalog", "load_catalog": "catalog", "Container": "container",
          "build_container": "container", "open_container": "runtime", "Settings": "settings"}

__all__ = ["ConfigurationError", "Container", "Settings", "build_container", "load_catalog", "open_container"]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
