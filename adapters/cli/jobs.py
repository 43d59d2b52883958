from typing import Annotated, Any

import typer
from rich.table import Table

from videoforge.adapters.cli.output import job_json
from videoforge.adapters.cli.runner import CommandRunner, JsonOpt, UserError, UserOpt
from videoforge.application.use_cases import UseCases


class JobCommands:
    """`videoforge jobs list|show|resume|cancel|reconcile`."""

    def __init__(self, run: CommandRunner):
        self._run = run

    def group(self) -> typer.Typer:
        group = typer.Typer(help="Jobs: list, show, resume, cancel.", no_args_is_help=True)
        group.command("list")(self.list_jobs)
        group.command("show")(self.show_job)
        group.command("resume")(self.resume_jobs)
        group.command("cancel")(self.cancel_job)
        group.command("reconcile")(self.reconcile_job)
        return group

    def list_jobs(self, user: UserOpt = "cli-user", limit: int = 20, as_json: JsonOpt = False) -> None:
        """The user's jobs, newest first."""
        async def work(uc: UseCases) -> list[dict[str, Any]]:
            return [job_json(j) for j in await uc.list_jobs()(user, limit=limit)]

        self._run(work, as_json, self._show_jobs)

    def _show_jobs(self, rows: list[dict[str, Any]]) -> None:
        table = Table("job", "status", "progress", "model", "created", "message")
        for r in rows:
            table.add_row(r["id"], r["status"], f"{r['progress']}%", r["model"], r["created_at"][:19], r["message"])
        self._run.out.print(table)

    def show_job(self, job_id: str, user: UserOpt = "cli-user", as_json: JsonOpt = False) -> None:
        """One job in full."""
        async def work(uc: UseCases) -> dict[str, Any]:
            return job_json(await uc.get_job()(job_id, user))

        self._run(work, as_json, self._run.show_json)

    def resume_jobs(self, as_json: JsonOpt = False) -> None:
        """Finish every unfinished job (never resubmitting one the provider has)."""
        async def work(uc: UseCases) -> dict[str, Any]:
            report = await uc.resume_jobs()()
            return {"finished": report.finished, "awaiting_reconciliation": report.awaiting_reconciliation,
                    "still_unfinished": report.errors}

        self._run(work, as_json, self._run.show_json)

    def cancel_job(self, job_id: str, user: UserOpt = "cli-user", as_json: JsonOpt = False) -> None:
        """Cancel a job and free its reservation."""
        async def work(uc: UseCases) -> dict[str, Any]:
            return job_json(await uc.cancel_job()(job_id, user))

        self._run(work, as_json, self._show_status)

    def reconcile_job(self, job_id: str,
                      provider_job_id: Annotated[str | None, typer.Option(
                          "--provider-job-id", help="The provider's task for this job, found on its side.")] = None,
                      not_created: Annotated[bool, typer.Option(
                          "--not-created", help="The provider has no task for this job.")] = False,
                      as_json: JsonOpt = False) -> None:
        """Settle an unknown outcome: the provider has the task (it is then followed), or it has none."""
        async def work(uc: UseCases) -> dict[str, Any]:
            if bool(provider_job_id) == not_created:
                raise UserError("give exactly one of --provider-job-id or --not-created")
            job = await uc.reconcile_job()(job_id, provider_job_id)
            if provider_job_id:
                await uc.resume_jobs()()
                job = await uc.get_job()(job_id, job.user_id)
            return job_json(job)

        self._run(work, as_json, self._show_status)

    def _show_status(self, r: dict[str, Any]) -> None:
        self._run.out.print(f"job {r['id']}: {r['status']}")
