from application.use_cases.cancel import CancelJob
from application.use_cases.generate import GenerateVideo
from application.use_cases.preflight import Preflight, Quote
from application.use_cases.queries import EstimateCost, GetJob, ListModels
from application.use_cases.resume import ResumeJobs, ResumeReport
from application.use_cases.run_job import PollPolicy, RunJob
from application.use_cases.submit import SubmitVideo

__all__ = [
    "CancelJob", "EstimateCost", "GenerateVideo", "GetJob", "ListModels", "PollPolicy", "Preflight", "Quote",
    "ResumeJobs", "ResumeReport", "RunJob", "SubmitVideo",
]
