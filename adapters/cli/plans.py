from typing import Annotated, Any

import typer
from rich.table import Table

from videoforge.adapters.cli.output import usd
from videoforge.adapters.cli.runner import CommandRunner, JsonOpt
from videoforge.application.use_cases import UseCases, UserPlan
from videoforge.domain import Plan

UserArg = Annotated[str, typer.Argument(help="The user (the token's subject on the HTTP API).")]


def plan_json(plan: Plan) -> dict[str, Any]:
    return {"name": plan.name, "video_calls_limit": plan.video_calls_limit,
            "monthly_cost_limit": usd(plan.monthly_cost_limit), "concurrent_jobs": plan.concurrent_jobs,
            "upload_count_limit": plan.upload_count_limit, "upload_bytes_limit": plan.upload_bytes_limit}


def user_plan_json(found: UserPlan) -> dict[str, Any]:
    return {"user_id": found.user_id, "plan": plan_json(found.plan), "assigned": found.assigned}


def limits(plan: dict[str, Any]) -> str:
    """A plan's limits in words, from its JSON (0 means unlimited)."""
    calls = f"{plan['video_calls_limit']} videos" if plan["video_calls_limit"] else "unlimited videos"
    cost = f"at most ${plan['monthly_cost_limit']}" if plan["monthly_cost_limit"] != "0" else "no cost limit"
    running = f", {plan['concurrent_jobs']} at a time" if plan["concurrent_jobs"] else ""
    count, size = plan.get("upload_count_limit", 0), plan.get("upload_bytes_limit", 0)
    kept = (f"; uploads: {count or 'unlimited'} files, " + (f"{size / 2**20:g} MiB" if size else "unlimited bytes")
            if count or size else "")
    return f"{calls} and {cost} a month{running}{kept}"


class PlanCommands:
    """`videoforge plans list|show USER|set USER PLAN`: the plans file's plans and who is on which."""

    def __init__(self, run: CommandRunner):
        self._run = run

    def group(self) -> typer.Typer:
        group = typer.Typer(help="Plans: list them, show or set a user's.", no_args_is_help=True)
        group.command("list")(self.list_plans)
        group.command("show")(self.show_plan)
        group.command("set")(self.set_plan)
        return group

    def list_plans(self, as_json: JsonOpt = False) -> None:
        """Every plan, and the one a new user gets."""
        async def work(uc: UseCases) -> dict[str, Any]:
            found = await uc.list_plans()()
            return {"default": found.default.name, "plans": [plan_json(p) for p in found.plans]}

        self._run(work, as_json, self._show_plans)

    def _show_plans(self, result: dict[str, Any]) -> None:
        table = Table("plan", "limits", "")
        for p in result["plans"]:
            table.add_row(p["name"], limits(p), "default (new users)" if p["name"] == result["default"] else "")
        self._run.out.print(table)

    def show_plan(self, user: UserArg, as_json: JsonOpt = False) -> None:
        """The plan that applies to a user now."""
        async def work(uc: UseCases) -> dict[str, Any]:
            return user_plan_json(await uc.show_plan()(user))

        self._run(work, as_json, self._show_user)

    def set_plan(self, user: UserArg, plan: Annotated[str, typer.Argument(help="A plan of `plans list`.")],
                 as_json: JsonOpt = False) -> None:
        """Put a user on a plan, from their next request on."""
        async def work(uc: UseCases) -> dict[str, Any]:
            return user_plan_json(await uc.assign_plan()(user, plan, by="cli"))

        self._run(work, as_json, self._show_user)

    def _show_user(self, found: dict[str, Any]) -> None:
        how = {True: "assigned", False: "default", None: "decided by the host"}[found["assigned"]]
        plan = found["plan"]
        self._run.out.print(f"{found['user_id']}: {plan['name']} ({how}): {limits(plan)}")
