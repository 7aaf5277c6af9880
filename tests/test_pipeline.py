"""The pipeline over many files: in order, in worker processes, with failures yielded, not raised."""
from __future__ import annotations

from pathlib import Path

import pytest

from nlp.errors import NlpError
from nlp.pipeline import Pipeline

SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample" / "txt"


def _summary(report: object) -> tuple:
    return (report.doc, [(b.section, round(b.confidence, 9)) for b in report.blocks],
            [(f.line, f.value, f.unit) for f in report.figures], [(s.line, s.type, s.text) for s in report.statements])


def test_pipe_in_two_processes_equals_one_process(tmp_path: Path) -> None:
    files = sorted(SAMPLE.glob("*.txt"))[:4]
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    sources = [*files[:2], bad, *files[2:]]
    pipeline = Pipeline()
    serial = list(pipeline.pipe(sources))
    parallel = list(pipeline.pipe(sources, n_process=2))
    assert len(serial) == len(parallel) == 5
    assert isinstance(serial[2], NlpError) and isinstance(parallel[2], NlpError)
    assert "empty.txt" in str(parallel[2])
    ok_serial = [_summary(r) for r in serial if not isinstance(r, NlpError)]
    ok_parallel = [_summary(r) for r in parallel if not isinstance(r, NlpError)]
    assert ok_parallel == ok_serial  # same reports, same order
    assert all(blocks for _, blocks, _, _ in ok_parallel)
    assert len(list(pipeline.pipe(sources, n_process=2, errors="skip"))) == 4
    with pytest.raises(NlpError):
        list(pipeline.pipe(sources, n_process=2, errors="raise"))


def test_every_error_kind_survives_a_trip_between_processes() -> None:
    import pickle

    import nlp.errors as errors

    kinds = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, NlpError)]
    assert len(kinds) >= 10
    for cls in kinds:
        for path in ("a/b.pdf", None):
            err = cls(path, "some reason")
            back = pickle.loads(pickle.dumps(err))
            assert type(back) is cls and back.message == err.message and back.to_dict() == err.to_dict()


def test_text_caches_can_be_emptied_and_never_change_results() -> None:
    from nlp.figures import extract as figure_extract
    from nlp.pipeline import clear_text_caches
    from nlp.sections.features import recurring_text_cache
    from nlp.segment import get_segmenter

    path = sorted(SAMPLE.glob("*.txt"))[0]
    pipeline = Pipeline()
    warm = _summary(pipeline(path))
    assert recurring_text_cache(get_segmenter()).words
    assert any(f.cache_info().currsize for f in vars(figure_extract).values() if hasattr(f, "cache_info"))
    assert clear_text_caches() >= 5
    assert not recurring_text_cache(get_segmenter()).words
    assert not any(f.cache_info().currsize for f in vars(figure_extract).values()
                   if hasattr(f, "cache_info") and (f.cache_info().maxsize or 0) >= 1024)
    assert _summary(pipeline(path)) == warm
