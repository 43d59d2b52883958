"""Which provider serves a request: the domain's routing rules, over data the settings give.

- A request that names a provider (`provider=`) gets it, under any of its spellings
  (`huggingface` for the legacy backend's fal path); a provider not configured here is refused
  by name, with the configured ones, before anything is reserved.
- A request that names a model id gets that model's provider, unless it names a provider too:
  then the same family's model on that provider, or a refusal naming the providers that offer it.
- A request that names a family (an alias such as `wan-2.5`, or the family itself) gets the
  family's preferred provider (a setting) when it is configured, else the first configured
  provider that offers it, in catalog order.
- A request that names no model gets the chosen provider's default model for its operation.

Fallback: a family's fallback list (a setting) names the providers to try, in order, after the
first one; the next is tried ONLY when the current provider provably created nothing (it refused
the submission; its task was cancelled before it started and the cancel confirmed; or the
provider aborted the task or let it expire and shows it charged nothing: see `VideoJob.fall_back`
and `outcome.uncharged_end`). A timeout or an unknown outcome never moves on by itself: the task is
cancelled and the cancel confirmed first, or the job waits. The next provider is one configured,
not tried yet for this job, offering the family's model for the operation and accepting the
request as it is; the job is priced again at its rates (the caller re-prices the reservation,
and a plan that does not allow the new price ends the fallback).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from videoforge.domain.catalog import GenerationPlan, ModelCatalog, ModelSpec
from videoforge.domain.errors import InvalidRequestError
from videoforge.domain.job import VideoJob
from videoforge.domain.money import Cost
from videoforge.domain.pricing import BilledDuration
from videoforge.domain.request import VideoRequest


@dataclass(frozen=True, slots=True)
class Fallback:
    """The next provider's plan for a job, and its price."""

    plan: GenerationPlan
    cost: Cost
    billed_seconds: float


@dataclass(frozen=True, slots=True)
class Routing:
    """`preferred`: family -> provider; `spellings`: other names of providers (lower case);
    `fallbacks`: family -> the providers to try next, in order."""

    preferred: Mapping[str, str] = field(default_factory=dict)
    spellings: Mapping[str, str] = field(default_factory=dict)
    fallbacks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def fallback(self, catalog: ModelCatalog, job: VideoJob, configured: Collection[str]) -> Fallback | None:
        """The next provider for a job whose current provider provably created nothing, or None."""
        spec = catalog.get(job.model)
        tried = {a.provider for a in job.attempts} | {job.provider}
        for provider in self.fallbacks.get(spec.family or "", ()) if spec.family else ():
            member = next((s for s in catalog.family_of(spec) if s.provider == provider), None)
            if member is None or provider in tried or provider not in configured:
                continue
            try:
                plan = catalog.plan(job.request.with_(model=member.id))
            except InvalidRequestError:
                continue  # the request as it is does not fit that provider's model
            billed = (float(plan.duration or 0) if member.billed_from is BilledDuration.REQUESTED
                      else job.billed_seconds)  # an input's probed length, the same input
            return Fallback(plan, member.estimate(plan.resolution, billed), billed)
        return None

    def provider_named(self, name: str, configured: Collection[str]) -> str:
        """The configured provider `name` means, or a refusal naming the configured ones."""
        canonical = self.spellings.get(name.strip().lower(), name.strip().lower())
        if canonical not in configured:
            raise InvalidRequestError("provider", f"{name!r} is not configured here; nothing was reserved",
                                      value=name, allowed=sorted(configured) or ["none"])
        return canonical

    def choose(self, catalog: ModelCatalog, request: VideoRequest, configured: Collection[str],
               default_provider: str | None) -> ModelSpec:
        explicit = self.provider_named(request.provider, configured) if request.provider else None
        if request.model is None:
            return catalog.resolve(None, request.operation, explicit or default_provider)
        candidates = catalog.candidates(request.model, request.operation)
        if explicit is not None:
            return _on(explicit, candidates, request.model)
        if request.model == candidates[0].id:
            return candidates[0]
        return min(candidates, key=lambda s: self._rank(s, configured))

    def plan(self, catalog: ModelCatalog, request: VideoRequest, configured: Collection[str],
             default_provider: str | None) -> GenerationPlan:
        """The request checked against the model that will serve it (see `choose`)."""
        spec = self.choose(catalog, request, configured, default_provider)
        return catalog.plan(request.with_(model=spec.id, provider=None))

    def _rank(self, spec: ModelSpec, configured: Collection[str]) -> int:
        if spec.family and self.preferred.get(spec.family) == spec.provider and spec.provider in configured:
            return 0
        return 1 if spec.provider in configured else 2


def _on(provider: str, candidates: list[ModelSpec], model: str) -> ModelSpec:
    for spec in candidates:
        if spec.provider == provider:
            return spec
    raise InvalidRequestError("provider", f"{model} is not offered on {provider}", value=provider,
                              allowed=sorted({s.provider for s in candidates}))
