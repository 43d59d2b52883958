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
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from videoforge.domain.catalog import GenerationPlan, ModelCatalog, ModelSpec
from videoforge.domain.errors import InvalidRequestError
from videoforge.domain.request import VideoRequest


@dataclass(frozen=True, slots=True)
class Routing:
    """`preferred`: family -> provider; `spellings`: other names of providers (lower case)."""

    preferred: Mapping[str, str] = field(default_factory=dict)
    spellings: Mapping[str, str] = field(default_factory=dict)

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
