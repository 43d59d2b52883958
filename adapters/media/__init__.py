from videoforge.adapters.media.adapter import PyAVMediaProbe

__all__ = ["PyAVMediaProbe"]
