"""RunJob's steps: one class per state a runner drives a job from (see RunJob)."""

from videoforge.application.use_cases.run.deliver import DeliverOutput, KeepOutput, Undeliverable
from videoforge.application.use_cases.run.fallback import FallBack
from videoforge.application.use_cases.run.follow import FollowTask
from videoforge.application.use_cases.run.keeper import JobKeeper, RunStep, SavingElsewhere, Superseded
from videoforge.application.use_cases.run.policy import PollPolicy
from videoforge.application.use_cases.run.recover import RecoverSubmission
from videoforge.application.use_cases.run.settle import SettleSubmission
from videoforge.application.use_cases.run.submit import SubmitJob

__all__ = [
    "DeliverOutput", "FallBack", "FollowTask", "JobKeeper", "KeepOutput", "PollPolicy", "RecoverSubmission",
    "RunStep", "SavingElsewhere", "SettleSubmission", "SubmitJob", "Superseded", "Undeliverable",
]
