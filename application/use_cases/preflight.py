from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from videoforge.application.ports.probe import InvalidMediaError, MediaProbe
from videoforge.application.sources import InputSource
from videoforge.domain.catalog import GenerationPlan, ModelCatalog
from videoforge.domain.errors import InvalidRequestError
from videoforge.domain.media import MediaInfo, MediaKind
from videoforge.domain.money import Cost
from videoforge.domain.request import VideoRequest
from videoforge.domain.routing import Routing


@dataclass(frozen=True, slots=True)
class Quote:
    plan: GenerationPlan
    probed: dict[MediaKind, MediaInfo]
    cost: Cost
    billed_seconds: float


class Preflight:
    """Checks a request against the catalog and its inputs by probing them, and prices it.
    Nothing is reserved or written: every refusal here costs nothing."""

    def __init__(self, catalog: ModelCatalog, probe: MediaProbe, providers: Collection[str],
                 default_provider: str | None, routing: Routing | None = None):
        self._catalog = catalog
        self._probe = probe
        self._providers = providers
        self._default_provider = default_provider
        self._routing = routing or Routing()

    async def __call__(self, request: VideoRequest) -> Quote:
        plan = self._routing.plan(self._catalog, request, self._providers, self._default_provider)
        if plan.spec.provider not in self._providers:
            raise InvalidRequestError(
                "model", f"{plan.spec.id} runs on {plan.spec.provider}, which is not configured here",
                value=plan.spec.id,
                allowed=[s.id for s in self._catalog.models(request.operation, self._providers)] or ["none"],
            )
        probed = {kind: await self._probe_input(kind, media) for kind, media in request.inputs.items()}
        plan.check_probed(probed)
        billed = plan.billed_seconds(probed)
        return Quote(plan, probed, plan.estimate(billed), billed)

    async def _probe_input(self, kind: MediaKind, media) -> MediaInfo:
        try:
            return await self._probe.probe(InputSource(media), kind)
        except InvalidMediaError as e:
            raise InvalidRequestError(kind.value, f"is not a readable {kind.value} file ({e})",
                                      value=media.filename or media.content_type) from e
        except OSError as e:
            raise InvalidRequestError(kind.value, f"cannot be read: {e.strerror or e}", value=media.path) from e
