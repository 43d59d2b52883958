from videoforge.adapters.media.probe import PyAVMediaProbe

__all__ = ["PyAVMediaProbe"]
