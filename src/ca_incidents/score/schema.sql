-- Tables written by the score stage (`ca-incidents score`); rebuilt from the parse tables at any time.
-- Offsets "start"/"end" point into comments.raw_text (comments.text when raw_text is NULL); "end" is exclusive.

CREATE TABLE IF NOT EXISTS report_scores (       -- one row per scored report comment
    comment_id         BIGINT PRIMARY KEY,
    bug_id             BIGINT NOT NULL,
    text_sha256        VARCHAR NOT NULL,         -- reports.text_sha256 when scored (incremental key)
    parser_version     VARCHAR NOT NULL,
    rubric_version     VARCHAR NOT NULL,         -- rules.yaml rubric_version (incremental key)
    era                VARCHAR,                  -- era whose rules were applied
    report_type        VARCHAR NOT NULL,
    composite          DOUBLE,                   -- weighted mean of the applicable criteria, 0-100; NULL: not a report
    root_cause_score   DOUBLE,                   -- per-criterion 0-100; NULL when the criterion does not apply
    actions_score      DOUBLE,
    timeline_score     DOUBLE,
    conformance_score  DOUBLE,
    thoroughness_score DOUBLE,
    candour_score      DOUBLE,
    breakdown          JSON,                     -- [{"criterion", "score", "weight", "rules"}]
    n_errors           INTEGER NOT NULL,
    n_warnings         INTEGER NOT NULL,
    scored_at          TIMESTAMP
);

CREATE TABLE IF NOT EXISTS findings (
    comment_id         BIGINT NOT NULL,
    seq                INTEGER NOT NULL,
    bug_id             BIGINT NOT NULL,
    rule               VARCHAR NOT NULL,         -- rule id from rules.yaml (`ca-incidents rules`)
    severity           VARCHAR NOT NULL,         -- error | warning | info
    criterion          VARCHAR NOT NULL,
    message            VARCHAR NOT NULL,
    "start"            INTEGER NOT NULL,
    "end"              INTEGER NOT NULL,
    section            VARCHAR,                  -- canonical section the span lies in; NULL for whole-report rules
    rubric_version     VARCHAR NOT NULL,
    PRIMARY KEY (comment_id, seq)
);
