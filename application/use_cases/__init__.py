from application.use_cases.cancel import CancelJob
from application.use_cases.generate import GenerateVideo
from application.use_cases.library import (
    AssetFile,
    GetAsset,
    GetUsage,
    ListAssets,
    LoadInput,
    OpenAssetFile,
    SaveUpload,
    Upload,
    UsageReport,
)
from application.use_cases.preflight import Preflight, Quote
from application.use_cases.queries import EstimateCost, GetJob, ListJobs, ListModels
from application.use_cases.reconcile import ReconcileJob
from application.use_cases.resume import ResumeJobs, ResumeReport
from application.use_cases.run_job import PollPolicy, RunJob
from application.use_cases.submit import SubmitVideo
from application.use_cases.webhook import HandleProviderWebhook

__all__ = [
    "AssetFile", "CancelJob", "EstimateCost", "GenerateVideo", "GetAsset", "GetJob", "GetUsage",
    "HandleProviderWebhook", "ListAssets", "ListJobs", "ListModels", "LoadInput", "OpenAssetFile", "PollPolicy",
    "Preflight", "Quote", "ReconcileJob", "ResumeJobs", "ResumeReport", "RunJob", "SaveUpload", "SubmitVideo", "Upload",
    "UsageReport",
]
