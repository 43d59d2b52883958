"""fal.ai's queue API as a VideoProvider, reached directly (FAL_KEY) or through Hugging Face's router (HF_TOKEN),
and the check of its signed webhook deliveries."""

from videoforge.adapters.fal.provider import FalVideoProvider, direct_route, router_route
from videoforge.adapters.fal.storage import FalStorage
from videoforge.adapters.fal.webhooks import FalWebhookError, FalWebhookEvent, FalWebhookVerifier

__all__ = ["FalStorage", "FalVideoProvider", "FalWebhookError", "FalWebhookEvent", "FalWebhookVerifier", "direct_route",
           "router_route"]
