"""S3-compatible object storage (AWS S3, R2, MinIO, ...) behind the Storage port, through obstore (pinned)."""

from videoforge.adapters.s3.storage import S3Storage

__all__ = ["S3Storage"]
