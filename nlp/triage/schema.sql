-- nlp triage store: one DuckDB file, written only by the parent process, one transaction per batch.
-- Every row carries `doc` (the input path as found); a document's rows are replaced together.
CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR);

CREATE TABLE IF NOT EXISTS documents (
    doc VARCHAR,              -- input path as found
    sha256 VARCHAR,           -- sha256 of the file's bytes (resume key together with doc)
    format VARCHAR,           -- txt, docx, pdf, html, md
    n_lines INTEGER,
    n_chars BIGINT,
    department VARCHAR,
    year INTEGER,
    n_blocks INTEGER,
    n_figures INTEGER,
    n_statements INTEGER,
    no_problems_stated BOOLEAN,
    score DOUBLE,             -- triage score: weighted sum of flags (higher = read first)
    n_flags INTEGER,
    elapsed_s DOUBLE          -- seconds the worker spent on the file (not deterministic)
);

CREATE TABLE IF NOT EXISTS blocks (
    doc VARCHAR, block INTEGER, kind VARCHAR, line_start INTEGER, line_end INTEGER,
    section VARCHAR, confidence DOUBLE, heading_path VARCHAR, text VARCHAR
);

CREATE TABLE IF NOT EXISTS figures (
    doc VARCHAR, block INTEGER, line INTEGER, start_pos INTEGER, end_pos INTEGER, text VARCHAR,
    value DOUBLE, unit VARCHAR, kind VARCHAR, comparator VARCHAR, label VARCHAR, metric VARCHAR,
    confidence DOUBLE
);

CREATE TABLE IF NOT EXISTS facts (
    doc VARCHAR, key VARCHAR, value DOUBLE, value_text VARCHAR, unit VARCHAR, confidence DOUBLE,
    line INTEGER, text VARCHAR
);

CREATE TABLE IF NOT EXISTS checks (
    doc VARCHAR, ord INTEGER, "check" VARCHAR, status VARCHAR, detail VARCHAR, lines VARCHAR
);

CREATE TABLE IF NOT EXISTS statements (
    doc VARCHAR, ord INTEGER, line INTEGER, type VARCHAR, text VARCHAR, block INTEGER,
    confidence DOUBLE, boilerplate DOUBLE
);

CREATE TABLE IF NOT EXISTS flags (
    doc VARCHAR, ord INTEGER, code VARCHAR, weight DOUBLE, line INTEGER, reason VARCHAR
);

CREATE TABLE IF NOT EXISTS failures (
    doc VARCHAR, sha256 VARCHAR, error VARCHAR, exc_type VARCHAR, message VARCHAR, elapsed_s DOUBLE
);
