from datetime import UTC, date, datetime, time
from typing import Annotated, Any

import typer
from rich.table import Table

from videoforge.adapters.cli.runner import EXIT_FAILURE, CommandRunner, JsonOpt, UserError
from videoforge.application.use_cases import UseCases

DateOpt = Annotated[str | None, typer.Option(help="A day (YYYY-MM-DD, from 00:00 UTC) or an ISO 8601 time.")]


def moment(text: str, name: str) -> datetime:
    """A day is its midnight UTC; a time without a zone is UTC."""
    try:
        parsed = datetime.fromisoformat(text) if "T" in text or " " in text else datetime.combine(
            date.fromisoformat(text), time())
    except ValueError:
        raise UserError(f"--{name}: {text!r} is not a date (YYYY-MM-DD) or an ISO 8601 time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class BillingCommands:
    """`videoforge providers` (their balance) and `videoforge billing audit`: what the providers
    say they charged, checked against what videoforge billed."""

    def __init__(self, run: CommandRunner):
        self._run = run

    def group(self) -> typer.Typer:
        group = typer.Typer(help="The providers' own billing records.", no_args_is_help=True)
        group.command("audit")(self.audit)
        return group

    def providers(self, as_json: JsonOpt = False) -> None:
        """The configured providers, their models and, where the provider tells it, the account's balance."""
        async def work(uc: UseCases) -> list[dict[str, Any]]:
            return [{"provider": p.name, "models": p.models,
                     "balance": f"{p.balance:f}" if p.balance is not None else None,
                     "balance_error": p.balance_error} for p in await uc.list_providers()()]

        self._run(work, as_json, self._show_providers)

    def _show_providers(self, rows: list[dict[str, Any]]) -> None:
        table = Table("provider", "models", "balance")
        for r in rows:
            balance = f"${r['balance']}" if r["balance"] is not None else (r["balance_error"] or "-")
            table.add_row(r["provider"], str(r["models"]), balance)
        self._run.out.print(table)

    def audit(self, since: Annotated[str, typer.Option(help="Start: YYYY-MM-DD (00:00 UTC) or ISO 8601.")],
              until: DateOpt = None, provider: str = "wavespeed", as_json: JsonOpt = False) -> None:
        """Compare the provider's billing records with videoforge's usage, task by task; exit 1 on a discrepancy.
        Refunds of failed tasks may take hours to appear: audit periods that ended a while ago."""
        outcome: dict[str, Any] = {}

        async def work(uc: UseCases) -> dict[str, Any]:
            end = moment(until, "until") if until else None
            audit = await uc.audit_billing()(provider, moment(since, "since"), end)
            outcome.update(audit_json(audit))
            return outcome

        self._run(work, as_json, self._show_audit)
        if not outcome.get("clean", True):
            raise typer.Exit(EXIT_FAILURE)

    def _show_audit(self, report: dict[str, Any]) -> None:
        table = Table("task", "job", "user", "model", "provider charged", "billed", "discrepancy",
                      title="discrepancies")
        for t in report["tasks"]:
            if t["discrepancy"]:
                table.add_row(t["task_id"], t["job_id"] or "-", t["user_id"] or "-", t["model"] or "-",
                              f"${t['provider_charged']}", f"${t['billed']}", t["discrepancy"] or "")
        if table.rows:
            self._run.out.print(table)
        self._run.out.print(f"{report['provider']} {report['since'][:19]} .. {report['until'][:19]}: "
                            f"{len(report['tasks'])} task(s), provider charged ${report['provider_total']}, "
                            f"billed ${report['billed_total']}, {report['discrepancies']} discrepancy(ies)")


def audit_json(audit: Any) -> dict[str, Any]:
    return {"provider": audit.provider, "since": audit.since.isoformat(), "until": audit.until.isoformat(),
            "clean": audit.clean, "discrepancies": len(audit.discrepancies),
            "provider_total": f"{audit.provider_total:f}", "billed_total": f"{audit.billed_total.usd:f}",
            "tasks": [{"task_id": t.task_id, "job_id": t.job_id, "user_id": t.user_id, "model": t.model,
                       "status": t.status, "provider_charged": f"{t.provider_charged:f}",
                       "billed": f"{t.billed.usd:f}", "refunded": t.refunded,
                       "discrepancy": t.discrepancy.value if t.discrepancy else None} for t in audit.tasks]}
