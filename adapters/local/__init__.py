from videoforge.adapters.local.provider import LocalVideoProvider

__all__ = ["LocalVideoProvider"]
