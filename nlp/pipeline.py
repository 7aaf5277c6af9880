"""The pipeline: read -> structure -> sections -> figures -> facts/checks -> statements.

One report at a time through ``Pipeline.__call__``; many through ``Pipeline.pipe`` (optionally in
worker processes). Corpus-level steps (near-duplicates, boilerplate, themes) run over a list of
reports with :func:`link_reports`, because they need every report at once.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from nlp.document import Document, Report
from nlp.errors import NlpError

ALL_STAGES: tuple[str, ...] = ("structure", "sections", "figures", "facts", "statements")


class Pipeline:
    """Chain the stages over one report; models load lazily, once per pipeline.

    ``stages`` lets a caller stop early (``("structure", "sections")`` for tagging only).
    Later stages imply earlier ones.
    """

    def __init__(
        self,
        stages: Iterable[str] = ALL_STAGES,
        sections_model: str | Path | None = None,
        limits: Any = None,
    ) -> None:
        self.stages = tuple(stages)
        self.sections_model = sections_model
        self.limits = limits
        self._tagger: Any = None
        self._figure_extractor: Any = None
        self._threads: Any = None

    # -- lazily loaded parts ------------------------------------------------------------------
    @property
    def tagger(self) -> Any:
        if self._tagger is None:
            from nlp.sections import load_tagger

            self._tagger = load_tagger(self.sections_model)
        return self._tagger

    @property
    def figure_extractor(self) -> Any:
        if self._figure_extractor is None:
            from nlp.figures import FigureExtractor

            self._figure_extractor = FigureExtractor.load()
        return self._figure_extractor

    def _wants(self, stage: str) -> bool:
        order = ALL_STAGES
        want = max((order.index(s) for s in self.stages if s in order), default=-1)
        return order.index(stage) <= want

    # -- one report ---------------------------------------------------------------------------
    def read(self, source: str | Path | Document, doc: str | None = None) -> Document:
        from nlp.read import read

        if isinstance(source, Document):
            return source
        if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source and _looks_like_path(source)):
            return read(source, doc=doc, limits=self.limits)
        from nlp.read import from_text

        return from_text(str(source), doc=doc or "<text>")

    def __call__(self, source: str | Path | Document, doc: str | None = None) -> Report:
        document = self.read(source, doc=doc)
        return self.process(document)

    def _one_thread(self) -> Any:
        """A context that runs the stages' native code (OpenMP, BLAS) on one thread.

        The models predict a few dozen rows per report: a thread team costs more than it saves,
        and on a busy machine each OpenMP barrier can wait for a scheduler slice (the boosted
        statement model took ~0.1 s per call that way instead of ~1 ms). Results are unchanged:
        threads only split rows. Parallelism across reports comes from ``pipe(n_process=...)``.
        The controller is built once, after scikit-learn's OpenMP runtime is loaded."""
        if self._threads is None:
            import sklearn.ensemble  # noqa: F401  (loads scikit-learn's OpenMP runtime)
            from threadpoolctl import ThreadpoolController

            self._threads = ThreadpoolController()
        return self._threads.limit(limits=1)

    def process(self, document: Document) -> Report:
        """Run the stages over a document already read."""
        with self._one_thread():
            return self._process(document)

    def _process(self, document: Document) -> Report:
        from nlp.structure import parse

        report = Report(doc=document.doc, document=document)
        if not self._wants("structure"):
            return report
        report.blocks = parse(document)
        if self._wants("sections"):
            self.tagger.tag(document, report.blocks)
        if self._wants("figures"):
            report.figures = self.figure_extractor.extract(document, report.blocks)
        if self._wants("facts"):
            from nlp.checks import run_checks
            from nlp.facts import extract_facts

            facts = extract_facts(document, report.blocks, report.figures)
            report.department, report.year, report.facts = facts.department, facts.year, facts.facts
            report.department_confidence = getattr(facts, "department_confidence", None)
            report.year_confidence = getattr(facts, "year_confidence", None)
            report.checks = run_checks(report.facts, report.figures, document)
        if self._wants("statements"):
            from nlp.statements import extract_statements

            found = extract_statements(document, report.blocks)
            report.statements = found.statements
            report.no_problems_stated = found.no_problems_stated
            report.no_problems_line = found.no_problems_line
        return report

    # -- many reports -------------------------------------------------------------------------
    def pipe(
        self,
        sources: Iterable[str | Path],
        n_process: int = 1,
        errors: str = "yield",
    ) -> Iterator[Report | NlpError]:
        """Process many files in order. A failing file yields its :class:`NlpError`
        (``errors="yield"``), is skipped (``"skip"``) or raises (``"raise"``)."""
        if errors not in ("yield", "skip", "raise"):
            raise ValueError("errors must be 'yield', 'skip' or 'raise'")
        if n_process <= 1:
            for src in sources:
                try:
                    yield self(src)
                except NlpError as exc:
                    if errors == "raise":
                        raise
                    if errors == "yield":
                        yield exc
            return
        from concurrent.futures import ProcessPoolExecutor

        srcs = [str(s) for s in sources]
        with ProcessPoolExecutor(max_workers=n_process, initializer=_init_worker,
                                 initargs=(self.stages, self.sections_model, self.limits)) as pool:
            for result in pool.map(_work, srcs, chunksize=4):
                if isinstance(result, NlpError):
                    if errors == "raise":
                        raise result
                    if errors == "skip":
                        continue
                yield result


def _looks_like_path(s: str) -> bool:
    return len(s) < 4096 and Path(s).suffix.lower() in (".txt", ".md", ".docx", ".pdf", ".html", ".htm")


def clear_text_caches() -> int:
    """Empty the bounded caches of short recurring texts (cells, labels, headings, their words) that the
    loaded stages keep across reports; returns how many were emptied.

    Results never depend on these caches. Clear them to time each text as seen for the first time (the
    benchmarks do, between repetitions over the same files), or after changing the segmenter's dictionary.
    Model caches (a handful of entries) are left alone."""
    import sys

    emptied = 0
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "nlp" or name.startswith("nlp.")):
            continue
        for obj in list(vars(module).values()):
            info = getattr(obj, "cache_info", None)
            if info is None or not callable(getattr(obj, "cache_clear", None)):
                continue
            try:
                size = info().maxsize
            except TypeError:
                continue
            if size is not None and size >= 1024:  # a text cache, not a model loader
                obj.cache_clear()
                emptied += 1
    features = sys.modules.get("nlp.sections.features")
    if features is not None:
        emptied += features.clear_recurring_text_caches()
    return emptied


_WORKER: Pipeline | None = None


def _init_worker(stages: tuple[str, ...], sections_model: Any, limits: Any) -> None:
    global _WORKER
    _WORKER = Pipeline(stages=stages, sections_model=sections_model, limits=limits)


def freeze_long_lived() -> None:
    """Move every object alive now (models, the jieba dictionary, compiled patterns: ~130k objects that
    live as long as the process) out of the garbage collector's generations.

    Why: each report allocates many small containers, so full collections run every few reports, and
    each one walked all the long-lived objects again: about a tenth of the pipeline's time. Frozen
    objects are still freed by reference counting; they are only left out of cycle collection.

    The young generation's threshold is raised too (700 -> 10,000 allocations): a report builds
    thousands of short-lived lines, blocks and spans, and at 700 a pass over the young objects ran
    every few hundred of them, walking most before reference counting freed them (about 5 ms per 110
    reports, 1 ms after). Cycles are still collected, a little later; memory grows by a few MB at most."""
    import gc

    gc.collect()
    gc.freeze()
    young, middle, old = gc.get_threshold()
    if 0 < young < _YOUNG_THRESHOLD:
        gc.set_threshold(_YOUNG_THRESHOLD, middle, old)


_YOUNG_THRESHOLD = 10_000


_FROZEN = False


def _work(src: str) -> Report | NlpError:
    global _FROZEN
    assert _WORKER is not None
    try:
        return _WORKER(src)
    except NlpError as exc:
        return exc
    finally:
        if not _FROZEN:  # the models are loaded by the first report: keep them out of cycle collection
            freeze_long_lived()
            _FROZEN = True


def link_reports(reports: list[Report]) -> None:
    """Corpus-level step: near-duplicate clusters, reports per cluster and boilerplate scores."""
    from nlp.statements import link_statements

    link_statements(reports)
