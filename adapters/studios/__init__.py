"""The backend's studio services as thin callers of the unified pipeline: each method builds a
request from its arguments, makes one use-case call and returns the legacy dictionary."""

from videoforge.adapters.studios.image_studio import (
    TalkingAvatarRequest,
    TransformImageToVideoRequest,
    TransformStudioService,
)
from videoforge.adapters.studios.legacy import LegacyVideoGeneration
from videoforge.adapters.studios.podcast import PodcastVideoService
from videoforge.adapters.studios.product_marketing import ProductVideoRequest, ProductVideoService
from videoforge.adapters.studios.story_writer import HDVideoRequest, HDVideoSceneRequest, StoryWriterVideoService
from videoforge.adapters.studios.video_studio import VideoStudioService
from videoforge.adapters.studios.video_tools import (
    AddAudioToVideoService,
    AvatarStudioService,
    FaceSwapService,
    StorySceneAnimationService,
    VideoBackgroundRemoverService,
    VideoTranslateService,
)

__all__ = [
    "AddAudioToVideoService", "AvatarStudioService", "FaceSwapService", "StorySceneAnimationService",
    "VideoBackgroundRemoverService", "VideoTranslateService",
    "HDVideoRequest", "HDVideoSceneRequest", "LegacyVideoGeneration", "PodcastVideoService", "ProductVideoRequest",
    "ProductVideoService", "StoryWriterVideoService", "TalkingAvatarRequest", "TransformImageToVideoRequest",
    "TransformStudioService", "VideoStudioService",
]
