from videoforge.adapters.filesystem.storage import FileSystemStorage

__all__ = ["FileSystemStorage"]
