"""The composition root: settings, the container, entry points. The only code that reads the
environment or knows dependency-injector."""

from videoforge.bootstrap.catalog import ConfigurationError, load_catalog
from videoforge.bootstrap.container import Container, build_container
from videoforge.bootstrap.runtime import open_container
from videoforge.bootstrap.settings import Settings

__all__ = ["ConfigurationError", "Container", "Settings", "build_container", "load_catalog", "open_container"]
