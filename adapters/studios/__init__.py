"""The backend's studio services as thin callers of the unified pipeline: each method builds a
request from its arguments, makes one use-case call and returns the legacy dictionary."""

from adapters.studios.image_studio import TalkingAvatarRequest, TransformImageToVideoRequest, TransformStudioService
from adapters.studios.legacy import LegacyVideoGeneration
from adapters.studios.podcast import PodcastVideoService
from adapters.studios.product_marketing import ProductVideoRequest, ProductVideoService
from adapters.studios.story_writer import HDVideoRequest, HDVideoSceneRequest, StoryWriterVideoService
from adapters.studios.video_studio import VideoStudioService

__all__ = [
    "HDVideoRequest", "HDVideoSceneRequest", "LegacyVideoGeneration", "PodcastVideoService", "ProductVideoRequest",
    "ProductVideoService", "StoryWriterVideoService", "TalkingAvatarRequest", "TransformImageToVideoRequest",
    "TransformStudioService", "VideoStudioService",
]
