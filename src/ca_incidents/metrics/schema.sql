-- Tables written by the metrics stage (`ca-incidents metrics`); rebuilt from the raw and parse tables.
-- Every detail row cites the comments (comments.id) and history rows (history.bug_id, history.seq) it came from.

CREATE TABLE deadline_checks (
    bug_id             BIGINT NOT NULL,
    rule               VARCHAR NOT NULL,   -- first_report | full_report | first_response | next_update | weekly | revocation
    status             VARCHAR NOT NULL,   -- met | missed | pending | superseded | waived | missing | measured
    period             VARCHAR,            -- rules period in force when the clock started (metrics/rules.py)
    start_time         TIMESTAMP,
    start_comment_id   BIGINT,             -- comment that started the clock (NULL: bug creation / whiteboard change)
    due_time           TIMESTAMP,
    due_date           DATE,               -- the Next update day as written, else the day of due_time
    done_time          TIMESTAMP,
    done_comment_id    BIGINT,             -- the CA comment that met (or, late, ended) the deadline
    late_hours         DOUBLE,             -- done - due (negative: early); for first_response: hours from disclosure
    set_history_seq    INTEGER,            -- history row that set the Next update date
    must_due_time      TIMESTAMP,          -- revocation cadence: the 7-day MUST limit
    is_must_missed     BOOLEAN,
    reason             VARCHAR             -- why the check could not be made (status missing / waived)
);

CREATE TABLE qa_ledger (
    bug_id               BIGINT NOT NULL,
    question_comment_id  BIGINT,           -- NULL for a needinfo flag set with no comment
    question_count       INTEGER,
    needinfo_history_seq INTEGER,
    source               VARCHAR NOT NULL, -- comment | needinfo
    asker                VARCHAR,
    asked_time           TIMESTAMP NOT NULL,
    ack_comment_id       BIGINT,
    ack_time             TIMESTAMP,
    answer_comment_id    BIGINT,
    answer_count         INTEGER,
    answer_time          TIMESTAMP,
    first_response_hours DOUBLE,
    answer_hours         DOUBLE,
    reminder_comment_ids BIGINT[],
    reminder_counts      INTEGER[],
    is_after_reminder    BOOLEAN NOT NULL,
    status               VARCHAR NOT NULL, -- the 7-day rule: met | missed | pending
    due_time             TIMESTAMP,
    is_answered          BOOLEAN NOT NULL
);

CREATE TABLE action_item_changes (
    bug_id               BIGINT NOT NULL,
    change               VARCHAR NOT NULL, -- added | slipped | due_moved | status | completed_late | dropped | replaced
    item                 VARCHAR,
    comment_id           BIGINT NOT NULL,  -- where the change shows
    comment_count        INTEGER NOT NULL,
    previous_comment_id  BIGINT,           -- the earlier version (action_items.comment_id, seq)
    previous_seq         INTEGER,
    seq                  INTEGER,
    old_value            VARCHAR,
    new_value            VARCHAR
);

CREATE TABLE count_changes (
    bug_id               BIGINT NOT NULL,
    from_count           BIGINT NOT NULL,
    to_count             BIGINT NOT NULL,
    from_comment_id      BIGINT NOT NULL,
    from_comment_count   INTEGER NOT NULL,
    comment_id           BIGINT NOT NULL,
    comment_count        INTEGER NOT NULL,
    is_explained         BOOLEAN NOT NULL,
    explanation          VARCHAR
);

CREATE TABLE recurrences (
    bug_id               BIGINT NOT NULL,
    earlier_bug_id       BIGINT NOT NULL,
    kind                 VARCHAR NOT NULL, -- same_ca | other_ca
    shared_tags          VARCHAR[],
    similarity           DOUBLE,
    is_named             BOOLEAN NOT NULL, -- the later bug's CA comments name the earlier bug
    named_comment_id     BIGINT,
    is_after_resolution  BOOLEAN NOT NULL,
    days_between         INTEGER
);

CREATE TABLE boilerplate_pairs (
    bug_id               BIGINT NOT NULL,
    comment_id           BIGINT NOT NULL,
    comment_count        INTEGER NOT NULL,
    "start"              INTEGER NOT NULL, -- offsets into comments.raw_text
    "end"                INTEGER NOT NULL,
    kind                 VARCHAR NOT NULL, -- root_cause | action_item | update | other
    source_bug_id        BIGINT NOT NULL,
    source_comment_id    BIGINT NOT NULL,
    source_comment_count INTEGER NOT NULL,
    source_start         INTEGER NOT NULL,
    source_end           INTEGER NOT NULL,
    similarity           DOUBLE NOT NULL,  -- rapidfuzz ratio, 0-100
    is_same_ca           BOOLEAN NOT NULL,
    text                 VARCHAR           -- the passage, normalised
);

CREATE TABLE disclosure (
    bug_id                   BIGINT PRIMARY KEY,
    stated                   VARCHAR,      -- self | third_party | audit | unclear | NULL
    stated_how               VARCHAR,      -- field | wording
    stated_comment_id        BIGINT,
    filer                    VARCHAR NOT NULL, -- ca | root_program | third_party
    has_external_tag         BOOLEAN NOT NULL,
    external_tag_history_seq INTEGER,
    first_comment_says       VARCHAR,
    is_disagreement          BOOLEAN NOT NULL,
    reason                   VARCHAR
);

CREATE TABLE incident_metrics (
    bug_id                       BIGINT PRIMARY KEY,
    ca_owner                     VARCHAR,
    year                         INTEGER,
    period                       VARCHAR,  -- rules period at disclosure
    status                       VARCHAR,
    disclosed_time               TIMESTAMP,
    first_response_hours         DOUBLE,
    first_report_status          VARCHAR,
    first_report_hours           DOUBLE,
    full_report_status           VARCHAR,
    full_report_days             DOUBLE,
    n_update_deadlines           INTEGER,
    n_updates_missed             INTEGER,
    n_questions                  INTEGER,
    n_questions_late             INTEGER,
    n_questions_unanswered       INTEGER,
    n_answers_after_reminder     INTEGER,
    median_answer_hours          DOUBLE,
    n_action_items               INTEGER,
    n_items_slipped              INTEGER,
    n_items_dropped              INTEGER,
    n_items_completed_late       INTEGER,
    n_prevent                    INTEGER,
    n_detect                     INTEGER,
    n_mitigate                   INTEGER,
    n_count_changes              INTEGER,
    n_unexplained_count_changes  INTEGER,
    disclosure_stated            VARCHAR,
    is_disclosure_disagreement   BOOLEAN,
    n_earlier_similar            INTEGER,  -- same-CA recurrences of earlier bugs
    n_earlier_listed             INTEGER,  -- of which named in this bug
    n_copied_passages            INTEGER,
    missing_reasons              VARCHAR[] -- "<column>: <why>" for every NULL metric
);

CREATE TABLE ca_metrics (
    ca_owner                     VARCHAR,
    period                       VARCHAR NOT NULL, -- a year ('2024') or 'all'
    n_incidents                  INTEGER NOT NULL,
    n_first_report_checks        INTEGER,
    n_first_report_missed        INTEGER,
    rate_first_report_missed     DOUBLE,
    n_full_report_checks         INTEGER,
    n_full_report_late           INTEGER,
    rate_full_report_late        DOUBLE,
    n_update_deadlines           INTEGER,
    n_updates_missed             INTEGER,
    rate_updates_missed          DOUBLE,
    n_questions                  INTEGER,
    n_questions_late             INTEGER,
    rate_questions_late          DOUBLE,
    n_questions_unanswered       INTEGER,
    rate_questions_unanswered    DOUBLE,
    n_answers_after_reminder     INTEGER,
    rate_answers_after_reminder  DOUBLE,
    n_action_items               INTEGER,
    n_items_slipped              INTEGER,
    rate_items_slipped           DOUBLE,
    n_items_dropped              INTEGER,
    rate_items_dropped           DOUBLE,
    n_count_changes              INTEGER,
    n_unexplained_count_changes  INTEGER,
    rate_count_changes_unexplained DOUBLE,
    n_disclosure_disagreements   INTEGER,
    rate_disclosure_disagreement DOUBLE,
    n_recurrent_incidents        INTEGER,
    rate_recurrence              DOUBLE,
    n_incidents_with_copied_text INTEGER,
    rate_copied_text             DOUBLE
);
