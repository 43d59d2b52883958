"""The plans users can be on: VIDEOFORGE_PLANS_FILE (TOML or JSON) or the legacy four, and what
`open_container(settings, plans=...)` accepts in their place."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from videoforge.adapters.plans import PlanResolver, ResolverPlanSource
from videoforge.application.ports.plans import PlanSource
from videoforge.bootstrap.catalog import ConfigurationError
from videoforge.domain import LEGACY_PLANS, DomainError, Plan, PlanCatalog

_FIELDS = {"video_calls_limit", "monthly_cost_limit", "concurrent_jobs", "upload_bytes_limit", "upload_count_limit"}


def load_plans(plans_file: Path | str | None, default_plan: str) -> PlanCatalog:
    """The plans of VIDEOFORGE_PLANS_FILE, in their order, else the legacy four (free 2 / $2, basic
    10 / $25, pro 30 / $100, enterprise unlimited / $500); `default_plan` must be one of them.
    The file: `[plans.<name>]` tables (TOML) or `{"plans": {"<name>": {...}}}` (JSON) with
    `video_calls_limit`, `monthly_cost_limit` (a decimal string of US dollars) and optionally
    `concurrent_jobs`, `upload_bytes_limit` and `upload_count_limit` (a user's live uploads);
    0 means unlimited. `examples/plans.toml` is the legacy four written as such a file."""
    plans = LEGACY_PLANS.plans if not plans_file else _read(Path(plans_file))
    try:
        return PlanCatalog(tuple(plans), default_plan)
    except DomainError as e:
        where = "VIDEOFORGE_DEFAULT_PLAN" if "default_plan" in str(e) else "VIDEOFORGE_PLANS_FILE"
        raise ConfigurationError(f"{where}: {e}") from None


def _read(path: Path) -> list[Plan]:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as e:
        raise ConfigurationError(f"VIDEOFORGE_PLANS_FILE: cannot read {path}: {e}") from e
    table = data.get("plans") if isinstance(data, dict) else None
    if not isinstance(table, dict) or not table:
        raise ConfigurationError(f"VIDEOFORGE_PLANS_FILE: {path} must hold a non-empty `plans` table "
                                 "(name -> video_calls_limit, monthly_cost_limit, and optionally concurrent_jobs, "
                                 "upload_bytes_limit, upload_count_limit)")
    return [_plan(name, limits) for name, limits in table.items()]


def _plan(name: str, limits: Any) -> Plan:
    if not isinstance(limits, dict) or not {"video_calls_limit", "monthly_cost_limit"} <= set(limits):
        raise ConfigurationError(f"VIDEOFORGE_PLANS_FILE: plan {name!r} needs video_calls_limit and "
                                 "monthly_cost_limit (0 = unlimited)")
    unknown = set(limits) - _FIELDS
    if unknown:
        raise ConfigurationError(f"VIDEOFORGE_PLANS_FILE: plan {name!r} has unknown fields {sorted(unknown)} "
                                 f"(allowed: {', '.join(sorted(_FIELDS))})")
    cost = limits["monthly_cost_limit"]
    if isinstance(cost, float):
        raise ConfigurationError(f"VIDEOFORGE_PLANS_FILE: plan {name!r}: monthly_cost_limit must be a decimal string "
                                 f"such as \"25.00\" or a whole number, not the float {cost!r}")
    try:
        return Plan(name, limits["video_calls_limit"], cost, limits.get("concurrent_jobs", 0),
                    limits.get("upload_bytes_limit", 0), limits.get("upload_count_limit", 0))
    except DomainError as e:
        raise ConfigurationError(f"VIDEOFORGE_PLANS_FILE: {e}") from None


def user_plans(catalog: PlanCatalog, names: Mapping[str, str]) -> dict[str, Plan]:
    """VIDEOFORGE_USER_PLANS (user -> plan name), each checked against the plans."""
    try:
        return {user: catalog.named(plan) for user, plan in names.items()}
    except DomainError as e:
        raise ConfigurationError(f"VIDEOFORGE_USER_PLANS: {e}") from None


def plan_source(plans: PlanSource | PlanResolver) -> PlanSource:
    """What a host passes as `plans=`: a PlanSource as it is, a callable user_id -> Plan wrapped."""
    if hasattr(plans, "plan_for"):
        return plans  # type: ignore[return-value]
    return ResolverPlanSource(plans)
