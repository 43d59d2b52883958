from adapters.media.files import local_file
from adapters.media.probe import PyAVMediaProbe

__all__ = ["PyAVMediaProbe", "local_file"]
