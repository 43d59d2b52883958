from typing import Any

import typer
from rich.table import Table

from videoforge.adapters.cli.output import asset_json, usd
from videoforge.adapters.cli.runner import CommandRunner, JsonOpt, UserOpt
from videoforge.application.use_cases import UseCases


class LibraryCommands:
    """`videoforge assets list|show` and `videoforge usage`: what the user has made and spent."""

    def __init__(self, run: CommandRunner):
        self._run = run

    def assets_group(self) -> typer.Typer:
        group = typer.Typer(help="Your video library.", no_args_is_help=True)
        group.command("list")(self.list_assets)
        group.command("show")(self.show_asset)
        return group

    def list_assets(self, user: UserOpt = "cli-user", limit: int = 20, as_json: JsonOpt = False) -> None:
        """The user's videos, newest first."""
        async def work(uc: UseCases) -> list[dict[str, Any]]:
            return [asset_json(a) for a in await uc.list_assets()(user, limit=limit)]

        self._run(work, as_json, self._show_assets)

    def _show_assets(self, rows: list[dict[str, Any]]) -> None:
        table = Table("asset", "created", "size", "duration", "model", "cost", "file")
        for r in rows:
            table.add_row(r["id"], r["created_at"][:19], f"{r['width']}x{r['height']}", f"{r['duration']} s",
                          r["model"], f"${r['cost']}", r["file_url"])
        self._run.out.print(table)

    def show_asset(self, asset_id: str, user: UserOpt = "cli-user", as_json: JsonOpt = False) -> None:
        """One asset in full."""
        async def work(uc: UseCases) -> dict[str, Any]:
            return asset_json(await uc.get_asset()(asset_id, user))

        self._run(work, as_json, self._run.show_json)

    def usage(self, user: UserOpt = "cli-user", as_json: JsonOpt = False) -> None:
        """The user's usage this billing period and the plan's limits."""
        async def work(uc: UseCases) -> dict[str, Any]:
            report = await uc.get_usage()(user)
            s, q = report.summary, report.quota
            return {"period": s.period, "video_calls": s.video_calls, "video_cost": usd(s.video_cost),
                    "total_calls": s.total_calls, "total_cost": usd(s.total_cost),
                    "plan": q.plan.name, "video_calls_limit": q.plan.video_calls_limit,
                    "monthly_cost_limit": usd(q.plan.monthly_cost_limit),
                    "reserved_calls": q.usage.reserved_calls,
                    "videos": [{"job_id": r.job_id, "model": r.model, "provider": r.provider, "operation": r.operation,
                                "source_module": r.source_module, "cost": usd(r.cost),
                                "billed_seconds": r.billed_seconds, "created_at": r.created_at.isoformat()}
                               for r in report.videos]}

        self._run(work, as_json, lambda r: self._run.out.print(
            f"{r['period']}: {r['video_calls']} video(s), ${r['video_cost']} (plan {r['plan']}: "
            f"{r['video_calls_limit'] or 'unlimited'} videos, ${r['monthly_cost_limit']})"))
