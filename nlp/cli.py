"""The thin command line: parse arguments, call the library, write output.

Exit statuses: 0 all inputs processed; 1 some inputs failed (each named on stderr);
2 usage error; 3 no input could be processed; 4 a model or artefact is missing or broken.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from nlp import __version__

app = typer.Typer(
    name="nlp",
    help="Read Chinese budget-performance reports: sections, figures, facts, statements, briefs, triage.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
train_app = typer.Typer(help="Rebuild a shipped model from annotated reports.", no_args_is_help=True)
evaluate_app = typer.Typer(help="Score a model against gold files (leave-one-document-out for learned parts).",
                           no_args_is_help=True)
app.add_typer(train_app, name="train")
app.add_typer(evaluate_app, name="evaluate")

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_ALL_FAILED, EXIT_MODEL = 0, 1, 2, 3, 4

Paths = Annotated[list[Path], typer.Argument(help="Files or folders (walked recursively, sorted).")]
Output = Annotated[Path | None, typer.Option("-o", "--output", help="Write here (atomically) instead of stdout.")]
Strict = Annotated[bool, typer.Option("--strict", help="Stop at the first input that fails.")]
Model = Annotated[Path | None, typer.Option("--model", help="Section model folder (default: the shipped one).")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nlp {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Budget-performance report toolkit."""


class _Run:
    """Process inputs one by one, report failures on stderr, remember the exit status."""

    def __init__(self, paths: list[Path], strict: bool, stages: tuple[str, ...], model: Path | None = None):
        from nlp.pipeline import Pipeline
        from nlp.read import iter_paths

        self.files = list(iter_paths([str(p) for p in paths]))
        self.strict = strict
        self.failed = 0
        self.done = 0
        self.pipeline = Pipeline(stages=stages, sections_model=model)

    def reports(self) -> Any:
        from nlp.errors import NlpError

        for path in self.files:
            try:
                report = self.pipeline(Path(path), doc=path)
            except NlpError as exc:
                self.failed += 1
                typer.echo(f"nlp: {exc.message}", err=True)
                if self.strict:
                    raise typer.Exit(EXIT_SOME_FAILED) from None
                continue
            self.done += 1
            yield report

    def exit(self) -> None:
        if not self.files:
            typer.echo("nlp: no input files found", err=True)
            raise typer.Exit(EXIT_USAGE)
        if self.failed and not self.done:
            raise typer.Exit(EXIT_ALL_FAILED)
        if self.failed:
            raise typer.Exit(EXIT_SOME_FAILED)


@app.command()
def sections(paths: Paths, output: Output = None, strict: Strict = False, model: Model = None,
             explain: Annotated[bool, typer.Option("--explain", help="Add the cues that weighed most.")] = False
             ) -> None:
    """One JSON object per block: kind, line range, text, section, confidence, scores, heading path."""
    from nlp.output import jsonl_sink

    run = _Run(paths, strict, ("structure", "sections"), model)
    with jsonl_sink(output) as write:
        for report in run.reports():
            explanations = run.pipeline.tagger.explain(report.document, report.blocks) if explain else None
            for block in report.blocks:
                row = block.to_dict(report.doc)
                if explanations is not None:
                    row["explain"] = explanations[block.index]
                write(row)
    run.exit()


@app.command()
def figures(paths: Paths, output: Output = None, strict: Strict = False, model: Model = None) -> None:
    """One JSON object per figure mention: value, unit, kind, label, metric, confidence."""
    from nlp.output import jsonl_sink

    run = _Run(paths, strict, ("structure", "sections", "figures"), model)
    with jsonl_sink(output) as write:
        for report in run.reports():
            for fig in report.figures:
                write(fig.to_dict(report.doc))
    run.exit()


@app.command()
def facts(paths: Paths, output: Output = None, strict: Strict = False, model: Model = None,
          explain: Annotated[bool, typer.Option("--explain", help="Show the mention chosen and those it beat.")]
          = False) -> None:
    """One JSON object per report: department, year, canonical facts and consistency checks."""
    from nlp.output import jsonl_sink

    run = _Run(paths, strict, ("structure", "sections", "figures", "facts"), model)
    with jsonl_sink(output) as write:
        for report in run.reports():
            write(report.facts_dict(explain=explain))
    run.exit()


@app.command()
def statements(paths: Paths, output: Output = None, strict: Strict = False, model: Model = None) -> None:
    """One JSON object per problem or measure statement, clustered across all inputs."""
    from nlp.output import jsonl_sink
    from nlp.pipeline import link_reports

    run = _Run(paths, strict, ("structure", "sections", "statements"), model)
    reports = list(run.reports())
    link_reports(reports)
    with jsonl_sink(output) as write:
        for report in reports:
            for st in report.statements:
                write(st.to_dict())
    run.exit()


@app.command()
def summarise(paths: Paths,
              output: Annotated[Path, typer.Option("-o", "--output",
                                                   help="brief.json, brief.md or brief.html")] = Path("brief.json"),
              strict: Strict = False, model: Model = None) -> None:
    """The leadership brief: themes of problems and measures, each point citing report and line."""
    from nlp.brief import build_brief
    from nlp.pipeline import link_reports

    run = _Run(paths, strict, ("structure", "sections", "statements"), model)
    reports = list(run.reports())
    link_reports(reports)
    brief = build_brief(reports)
    brief.write(output)
    typer.echo(f"nlp: wrote {output} ({len(reports)} reports)", err=True)
    run.exit()


@app.command()
def triage(
    paths: Paths,
    db: Annotated[Path, typer.Option("--db", help="DuckDB file holding results (resumable).")] = Path("triage.duckdb"),
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes.")] = 1,
    report: Annotated[Path | None, typer.Option("--report", help="Write the ranked HTML report here.")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write the ranking as CSV here.")] = None,
    dask: Annotated[str | None, typer.Option("--dask", help="Dask scheduler address, or 'local'.")] = None,
    file_timeout: Annotated[float, typer.Option("--file-timeout", help="Seconds one file may take.")] = 120.0,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Files per committed batch.")] = 32,
    top: Annotated[int, typer.Option("--top", help="Rows in the summary table.")] = 10,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")] = True,
    strict: Strict = False,
) -> None:
    """Stream a corpus through the pipeline into DuckDB, resumably, and rank reports by red flags."""
    from nlp.triage import run_triage

    code = run_triage(paths=[str(p) for p in paths], db=db, jobs=jobs, report=report, csv=csv, dask=dask,
                      file_timeout=file_timeout, batch_size=batch_size, top=top, progress=progress,
                      strict=strict)
    raise typer.Exit(code)


@train_app.command("sections")
def train_sections(
    gold: Annotated[list[Path] | None, typer.Option("--gold", help="Gold folders (default: ../shared and corpora/sample).")]
    = None,
    out: Annotated[Path, typer.Option("--out", help="Where to save the model folder.")] = Path("models/sections"),
    backend: Annotated[str, typer.Option("--backend", help="sklearn or transformers")] = "sklearn",
    model: Annotated[Path | None, typer.Option("--model", help="Local encoder checkpoint (transformers).")] = None,
    epochs: Annotated[int, typer.Option("--epochs", help="Fine-tuning epochs (transformers).")] = 3,
) -> None:
    """Rebuild the section classifier (with cross-validated figures in meta.json)."""
    from nlp.sections.train import train_command

    train_command(gold_dirs=gold, out=out, backend=backend, base_model=model, epochs=epochs)


@train_app.command("figures")
def train_figures(
    out: Annotated[Path, typer.Option("--out", help="Where to save the model folder.")] = Path("models/figures"),
) -> None:
    """Rebuild the figure confidence model."""
    from nlp.figures.train import train_command

    train_command(out=out)


@train_app.command("facts")
def train_facts(
    out: Annotated[Path, typer.Option("--out", help="Where to save the model folder.")] = Path("models/facts"),
) -> None:
    """Rebuild the fact confidence model (document-grouped CV figures in meta.json)."""
    from nlp.facts_train import train_command

    train_command(out=out)


@train_app.command("statements")
def train_statements(
    out: Annotated[Path, typer.Option("--out", help="Where to save the model folder.")] = Path("models/statements"),
) -> None:
    """Rebuild the statement confidence model."""
    from nlp.statements.train import train_command

    train_command(out=out)


@evaluate_app.command("sections")
def evaluate_sections(
    gold: Annotated[list[Path], typer.Option("--gold", help="Gold folder(s).")],
    docs: Annotated[list[Path], typer.Option("--docs", help="Document folder(s), in the order of --gold.")],
    folds: Annotated[int, typer.Option("--folds", help="Grouped k-fold by document; 0 = leave one document out.")] = 0,
) -> None:
    """Leave-one-document-out section figures, as ../shared/tools/score.py prints them."""
    from nlp.evaluate import evaluate_sections_cli

    evaluate_sections_cli(gold, docs, n_splits=folds or None)


@app.command("eval")
def eval_all(
    output: Output = None,
) -> None:
    """Every accuracy figure the README quotes (shared gold when present, else corpora/sample)."""
    from nlp.eval_all import eval_all_cli

    eval_all_cli(output)


def main(argv: list[str] | None = None) -> None:
    try:
        app(args=argv, prog_name="nlp")
    except BrokenPipeError:  # `nlp sections … | head`
        sys.stderr.close()


if __name__ == "__main__":
    main()
