-- Raw corpus tables, written only by the harvester, holding only what Bugzilla returned (CA owner and
-- whiteboard fields are derived by `ca-incidents parse` into normalised_bugs). All times are UTC (naive TIMESTAMP).
-- Column names follow the Bugzilla REST API where one exists.

CREATE TABLE IF NOT EXISTS bugs (
    id                 BIGINT PRIMARY KEY,
    summary            VARCHAR,
    product            VARCHAR,
    component          VARCHAR,
    status             VARCHAR,
    resolution         VARCHAR,
    creation_time      TIMESTAMP,
    last_change_time   TIMESTAMP,
    cf_last_resolved   TIMESTAMP,
    whiteboard         VARCHAR,
    creator            VARCHAR,
    assigned_to        VARCHAR,
    keywords           VARCHAR[],
    see_also           VARCHAR[],
    depends_on         BIGINT[],
    blocks             BIGINT[],
    raw_json           JSON          -- the bug object exactly as the API returned it
);

CREATE TABLE IF NOT EXISTS comments (
    id                 BIGINT PRIMARY KEY,
    bug_id             BIGINT NOT NULL,
    count              INTEGER NOT NULL,   -- position in the bug, 0 = description
    creator            VARCHAR,            -- REST "creator" (= "author")
    creation_time      TIMESTAMP,
    text               VARCHAR,            -- body plus generated text
    raw_text           VARCHAR,            -- body as written (Markdown since about 2019); offsets point here
    attachment_id      BIGINT,
    tags               VARCHAR[]
);

CREATE TABLE IF NOT EXISTS history (
    bug_id             BIGINT NOT NULL,
    change_time        TIMESTAMP NOT NULL, -- REST "when"
    who                VARCHAR NOT NULL,
    seq                INTEGER NOT NULL,   -- position of the change within its bug's history (0-based)
    field_name         VARCHAR NOT NULL,
    removed            VARCHAR,
    added              VARCHAR,
    attachment_id      BIGINT,
    comment_id         BIGINT,
    PRIMARY KEY (bug_id, seq)
);

CREATE TABLE IF NOT EXISTS attachments (
    id                 BIGINT PRIMARY KEY,
    bug_id             BIGINT NOT NULL,
    file_name          VARCHAR,
    summary            VARCHAR,
    content_type       VARCHAR,
    size               BIGINT,
    creation_time      TIMESTAMP,
    last_change_time   TIMESTAMP,
    creator            VARCHAR,
    is_obsolete        BOOLEAN,
    is_patch           BOOLEAN,
    data               BLOB               -- only for opted-in text/CSV downloads
);

CREATE TABLE IF NOT EXISTS harvests (
    id                 INTEGER PRIMARY KEY,
    started_at         TIMESTAMP,
    finished_at        TIMESTAMP,         -- NULL while running or when interrupted
    source_url         VARCHAR,
    query              JSON,              -- the search parameters, API key never included
    db_time            TIMESTAMP,         -- server clock (GET /rest/time) read before searching
    since              TIMESTAMP,         -- last_change_time lower bound used (NULL = full harvest)
    is_offline         BOOLEAN,
    is_authenticated   BOOLEAN,
    bugs_seen          INTEGER,
    bugs_fetched       INTEGER,
    comments_added     INTEGER,
    history_added      INTEGER,
    attachments_added  INTEGER,
    requests_made      INTEGER
);

-- Harvester bookkeeping: a bug's activity is refetched only when its last_change_time differs from the one
-- recorded here, which is written in the same transaction as the bug's rows (so a killed run resumes cleanly).
CREATE TABLE IF NOT EXISTS bug_sync (
    bug_id             BIGINT PRIMARY KEY,
    last_change_time   TIMESTAMP NOT NULL,  -- bugs.last_change_time when comments/history/attachments were synced
    harvest_id         INTEGER,             -- the harvests row that synced it
    synced_at          TIMESTAMP
);
