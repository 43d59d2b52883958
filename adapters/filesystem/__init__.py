from adapters.filesystem.storage import FileSystemStorage

__all__ = ["FileSystemStorage"]
