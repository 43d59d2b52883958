import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from videoforge.adapters.cli.inputs import build_request, parse_options
from videoforge.adapters.cli.output import ProgressBar, durations, usd
from videoforge.adapters.cli.runner import CommandRunner, JsonOpt, UserOpt
from videoforge.application.use_cases import UseCases
from videoforge.domain import MediaKind

ImageOpt = Annotated[Path | None, typer.Option(help="Input image (image-to-video, avatar).")]
AudioOpt = Annotated[Path | None, typer.Option(help="Input audio (avatar).")]
VideoOpt = Annotated[Path | None, typer.Option(help="Input video (enhance, extend, edit, face_swap, translate, "
                                                    "remove_background, add_audio).")]
AssetOpt = Annotated[str | None, typer.Option(help="An asset of your library as the input video (its id).")]
OptionOpt = Annotated[list[str] | None, typer.Option("--option", help="A model setting, name=value (repeatable; "
                                                                       "see `videoforge models --json`).")]
OperationOpt = Annotated[str | None, typer.Option(help="Inferred from the inputs when not given.")]
ModelOpt = Annotated[str | None, typer.Option(help="A model id or alias (see `videoforge models`).")]


class GenerationCommands:
    """`videoforge generate`, `estimate` and `models`: make a video, price one, list what can run."""

    def __init__(self, run: CommandRunner):
        self._run = run

    def register(self, app: typer.Typer) -> None:
        app.command("generate")(self.generate)
        app.command("estimate")(self.estimate)
        app.command("models")(self.models)

    def generate(
        self,
        prompt: Annotated[str | None, typer.Option(help="What the video shows.")] = None,
        image: ImageOpt = None,
        audio: AudioOpt = None,
        video: VideoOpt = None,
        video_asset: AssetOpt = None,
        operation: OperationOpt = None,
        model: ModelOpt = None,
        duration: Annotated[int | None, typer.Option(help="Seconds (extend: seconds added).")] = None,
        resolution: Annotated[str | None, typer.Option()] = None,
        aspect_ratio: Annotated[str | None, typer.Option("--aspect-ratio")] = None,
        negative_prompt: Annotated[str | None, typer.Option("--negative-prompt")] = None,
        seed: Annotated[int | None, typer.Option()] = None,
        option: OptionOpt = None,
        user: UserOpt = "cli-user",
        idempotency_key: Annotated[str | None, typer.Option("--idempotency-key")] = None,
        source_module: Annotated[str, typer.Option("--source-module", help="Your module asking.")] = "cli",
        as_json: JsonOpt = False,
    ) -> None:
        """Generate a video and store it in the library."""
        async def work(uc: UseCases) -> dict[str, Any]:
            load = uc.load_input()
            assets = {"video": await load(user, MediaKind.VIDEO, asset_id=video_asset)} if video_asset else {}
            request = build_request(operation, user, prompt, image, audio, video, model=model, duration=duration,
                                    assets=assets, resolution=resolution, aspect_ratio=aspect_ratio,
                                    options=parse_options(option),
                                    negative_prompt=negative_prompt, seed=seed, idempotency_key=idempotency_key,
                                    source_module=source_module)
            await self._announce(uc, request)
            with ProgressBar(enabled=not as_json) as progress:
                result = await uc.generate_video()(request, progress)
            return {"job_id": result.job_id, "asset_id": result.asset_id, "file": result.file_url,
                    "path": result.file_path, "model": result.model_name, "cost": usd(result.cost),
                    "duration": result.duration, "width": result.width, "height": result.height,
                    "size": result.file_size}

        self._run(work, as_json, self._show_generated)

    @staticmethod
    async def _announce(uc: UseCases, request: Any) -> None:
        """The first line, on stderr, before anything is reserved or sent: who renders, which model,
        what it costs (a key in the environment makes a paid provider the default)."""
        e = await uc.estimate_cost()(request)
        if e.allowed:
            print(f"videoforge: {e.model.provider} {e.model.id}: ${usd(e.cost)} for {e.billed_seconds:g} s at "
                  f"{e.resolution}", file=sys.stderr, flush=True)

    def _show_generated(self, r: dict[str, Any]) -> None:
        self._run.out.print(f"Saved {r['file']}")
        self._run.out.print(f"  asset {r['asset_id']}, {r['width']}x{r['height']}, {r['duration']:g} s, "
                            f"{r['size']} bytes, {r['model']}, ${r['cost']}")

    def estimate(
        self,
        prompt: Annotated[str | None, typer.Option()] = None,
        image: Annotated[Path | None, typer.Option()] = None,
        audio: Annotated[Path | None, typer.Option()] = None,
        video: Annotated[Path | None, typer.Option()] = None,
        operation: Annotated[str | None, typer.Option()] = None,
        model: Annotated[str | None, typer.Option()] = None,
        duration: Annotated[int | None, typer.Option()] = None,
        resolution: Annotated[str | None, typer.Option()] = None,
        option: OptionOpt = None,
        user: UserOpt = "cli-user",
        as_json: JsonOpt = False,
    ) -> None:
        """What a generation would cost, and whether the user's plan allows it now."""
        async def work(uc: UseCases) -> dict[str, Any]:
            request = build_request(operation, user, prompt or "(estimate)", image, audio, video, model=model,
                                    duration=duration, resolution=resolution, options=parse_options(option))
            e = await uc.estimate_cost()(request)
            return {"model": e.model.id, "cost": usd(e.cost), "billed_seconds": e.billed_seconds,
                    "resolution": e.resolution, "duration": e.duration, "allowed": e.allowed,
                    "reason": e.quota.reason, "price_verified": e.model.verified}

        self._run(work, as_json, lambda r: self._run.out.print(
            f"{r['model']}: ${r['cost']} for {r['billed_seconds']:g} s at {r['resolution']}"
            + ("" if r["allowed"] else f"; refused now: {r['reason']}")))

    def models(self, operation: Annotated[str | None, typer.Option()] = None, as_json: JsonOpt = False) -> None:
        """The models that can run here, with their options and prices."""
        async def work(uc: UseCases) -> list[dict[str, Any]]:
            return [m.summary() for m in await uc.list_models()(operation)]

        self._run(work, as_json, self._show_models)

    def _show_models(self, rows: list[dict[str, Any]]) -> None:
        table = Table("model", "operation", "durations (s)", "resolutions", "price")
        for r in rows:
            table.add_row(r["id"], r["operation"], durations(r["durations"]), ", ".join(r["resolutions"]),
                          r["pricing"] + ("" if r["price_verified"] else " (unverified)"))
        self._run.out.print(table)
