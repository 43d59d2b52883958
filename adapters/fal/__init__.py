"""fal.ai's queue API as a VideoProvider, reached directly (FAL_KEY) or through Hugging Face's router (HF_TOKEN)."""

from videoforge.adapters.fal.provider import FalVideoProvider, direct_route, router_route

__all__ = ["FalVideoProvider", "direct_route", "router_route"]
