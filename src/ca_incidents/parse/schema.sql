-- Tables written by the parse stage (`ca-incidents parse`); rebuilt from the raw tables at any time.
-- Offsets "start"/"end" point into comments.raw_text (comments.text when raw_text is NULL); "end" is exclusive.

CREATE TABLE IF NOT EXISTS parse_bugs (          -- incremental state: one row per parsed bug
    bug_id             BIGINT PRIMARY KEY,
    context_sha256     VARCHAR NOT NULL,         -- hash of assignee, CA owner and every comment's text hash
    parser_version     VARCHAR NOT NULL,
    parsed_at          TIMESTAMP,
    ca_accounts        VARCHAR[]                 -- accounts speaking for the CA (lower case); is_ca_side follows them
);

CREATE TABLE IF NOT EXISTS comment_roles (       -- every comment, reports or not
    comment_id         BIGINT PRIMARY KEY,
    bug_id             BIGINT NOT NULL,
    count              INTEGER NOT NULL,
    creator            VARCHAR,
    creation_time      TIMESTAMP,
    role               VARCHAR NOT NULL,         -- preliminary|full|closure|audit|legacy|update|informal|question|answer|other
    is_ca_side         BOOLEAN NOT NULL,
    quoted_spans       JSON,                     -- [{"start", "end", "author", "comment_count"}]
    own_chars          INTEGER,                  -- characters of the comment's own (unquoted) text
    text_sha256        VARCHAR NOT NULL,
    parser_version     VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS reports (             -- one row per report comment (roles preliminary..informal)
    comment_id         BIGINT PRIMARY KEY,
    bug_id             BIGINT NOT NULL,
    count              INTEGER NOT NULL,
    role               VARCHAR NOT NULL,
    report_type        VARCHAR NOT NULL,
    era                VARCHAR,                  -- template the text follows
    era_in_force       VARCHAR,                  -- template current at creation_time
    is_era_acceptable  BOOLEAN,                  -- era within grace / early-adoption windows
    is_ca_side         BOOLEAN NOT NULL,
    creation_time      TIMESTAMP,
    text_sha256        VARCHAR NOT NULL,
    parser_version     VARCHAR NOT NULL,
    warnings           VARCHAR[],
    total_certificates BIGINT,
    remaining_valid    BIGINT,
    issuance_stopped   BOOLEAN,
    disclosure_source  VARCHAR,
    n_sections         INTEGER,
    n_action_items     INTEGER,
    n_timeline_events  INTEGER
);

CREATE TABLE IF NOT EXISTS sections (
    comment_id         BIGINT NOT NULL,
    seq                INTEGER NOT NULL,
    name               VARCHAR NOT NULL,
    parent             VARCHAR,
    heading            VARCHAR,
    "start"            INTEGER NOT NULL,
    "end"              INTEGER NOT NULL,
    PRIMARY KEY (comment_id, seq)
);

CREATE TABLE IF NOT EXISTS root_causes (
    comment_id         BIGINT NOT NULL,
    seq                INTEGER NOT NULL,
    title              VARCHAR,
    description        VARCHAR,
    timeline           VARCHAR,
    detection          VARCHAR,
    interaction        VARCHAR,
    "start"            INTEGER NOT NULL,
    "end"              INTEGER NOT NULL,
    PRIMARY KEY (comment_id, seq)
);

CREATE TABLE IF NOT EXISTS timeline_events (
    comment_id         BIGINT NOT NULL,
    seq                INTEGER NOT NULL,
    event_time         TIMESTAMP,                -- UTC when has_zone, else naive local; midnight when date-only
    event_date         DATE,
    has_time           BOOLEAN NOT NULL,
    has_zone           BOOLEAN NOT NULL,
    raw_time           VARCHAR,
    text               VARCHAR,
    "start"            INTEGER NOT NULL,
    "end"              INTEGER NOT NULL,
    PRIMARY KEY (comment_id, seq)
);

CREATE TABLE IF NOT EXISTS action_items (
    comment_id         BIGINT NOT NULL,
    seq                INTEGER NOT NULL,
    text               VARCHAR,
    kind               VARCHAR,
    root_causes        VARCHAR,
    evaluation_criteria VARCHAR,
    due_text           VARCHAR,
    due_date           DATE,
    status             VARCHAR,
    "start"            INTEGER NOT NULL,
    "end"              INTEGER NOT NULL,
    PRIMARY KEY (comment_id, seq)
);

CREATE TABLE IF NOT EXISTS "references" (
    comment_id         BIGINT NOT NULL,
    seq                INTEGER NOT NULL,
    kind               VARCHAR NOT NULL,         -- bug | policy | crtsh
    value              VARCHAR NOT NULL,
    "start"            INTEGER NOT NULL,
    "end"              INTEGER NOT NULL,
    PRIMARY KEY (comment_id, seq)
);

CREATE TABLE IF NOT EXISTS normalised_bugs (     -- every bug: owner and whiteboard fields, rebuilt on each parse
    bug_id             BIGINT PRIMARY KEY,
    ca_owner           VARCHAR,                  -- CA owner; NULL when owner_source = 'none'
    ca_owner_raw       VARCHAR,                  -- the summary prefix as written (NULL without a colon)
    owner_source       VARCHAR NOT NULL,         -- alias | prefix | none (corpus/owners.py)
    ca_brand           VARCHAR,                  -- the other name of an "A / B" or "A (B)" prefix
    whiteboard_tags    VARCHAR[] NOT NULL,       -- normalised tags, in whiteboard order
    next_update        DATE,                     -- the whiteboard's "Next update" date, when readable
    next_update_raw    VARCHAR,                  -- the "Next update ..." text as written
    next_update_problem VARCHAR                  -- why next_update is NULL although next_update_raw is not
);
