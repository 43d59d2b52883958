"""Plans decided outside videoforge: a host's own resolver behind the PlanSource port."""

from videoforge.adapters.plans.resolver import PlanResolver, ResolverPlanSource

__all__ = ["PlanResolver", "ResolverPlanSource"]
