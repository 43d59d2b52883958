from videoforge.adapters.media.files import local_file
from videoforge.adapters.media.probe import PyAVMediaProbe

__all__ = ["PyAVMediaProbe", "local_file"]
