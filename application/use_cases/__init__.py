from videoforge.application.use_cases.billing import AuditBilling, BalanceCheck, ListProviders, ProviderOverview
from videoforge.application.use_cases.callbacks import GetCallbackDelivery, NotifyCaller
from videoforge.application.use_cases.cancel import CancelJob
from videoforge.application.use_cases.console import Lineage, ListSpend, SpendReport, TraceLineage, UserSpend
from videoforge.application.use_cases.factories import UseCases
from videoforge.application.use_cases.generate import GenerateVideo
from videoforge.application.use_cases.library import (
    AssetFile,
    GetAsset,
    GetUsage,
    ListAssets,
    LoadInput,
    OpenAssetFile,
    SaveUpload,
    StoredVideo,
    Upload,
    UsageReport,
)
from videoforge.application.use_cases.plans import AssignPlan, ListPlans, PlanList, ShowPlan, UserPlan
from videoforge.application.use_cases.preflight import Preflight, Quote
from videoforge.application.use_cases.queries import EstimateCost, GetJob, ListJobs, ListModels
from videoforge.application.use_cases.reconcile import ReconcileJob
from videoforge.application.use_cases.resume import ResumeJobs, ResumeReport
from videoforge.application.use_cases.run_job import PollPolicy, RunJob
from videoforge.application.use_cases.submit import SubmitVideo
from videoforge.application.use_cases.uploads import ExpireUploads
from videoforge.application.use_cases.watch import WatchJob
from videoforge.application.use_cases.webhook import HandleProviderWebhook

__all__ = [
    "AssignPlan", "ListPlans", "PlanList", "ShowPlan", "UserPlan",
    "AssetFile", "AuditBilling", "BalanceCheck", "CancelJob", "ListProviders", "ProviderOverview",
    "EstimateCost", "ExpireUploads", "GenerateVideo", "GetAsset", "GetJob", "GetUsage",
    "HandleProviderWebhook", "ListAssets", "ListJobs", "ListModels", "LoadInput", "OpenAssetFile", "PollPolicy",
    "Preflight", "Quote", "ReconcileJob", "ResumeJobs", "ResumeReport", "RunJob", "SaveUpload", "StoredVideo",
    "SubmitVideo", "Upload", "UsageReport", "UseCases", "WatchJob", "GetCallbackDelivery", "NotifyCaller",
    "Lineage", "ListSpend", "SpendReport", "TraceLineage", "UserSpend",
]
