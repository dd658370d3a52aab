-- filing-check registry schema: the one description of the database.
--
-- The embedded registry (registry/*.csv, compiled into the binary) and every
-- registry file (`--registry PATH`, FILING_CHECK_REGISTRY) use exactly this
-- schema. `PRAGMA user_version` records its version; a build refuses a
-- database whose version it does not know. `PRAGMA application_id` marks the
-- file as a filing-check registry ("FCK1").
--
-- Dates are ISO 8601 text, possibly of reduced precision ("2024-04" when a
-- source gives only a month).

-- Large pages: a lookup reads the name index (megabytes, at the end of this
-- file) in a few long reads rather than thousands of 4 KiB ones.
PRAGMA page_size = 65536;            -- first: it must precede any write
PRAGMA application_id = 1178815281;  -- 0x46434B31, "FCK1"
PRAGMA user_version = 5;

-- The two filing regimes, with what the seed's comparison table gives.
CREATE TABLE regimes (
    id                   TEXT PRIMARY KEY CHECK (id IN ('genai', 'deep-synthesis')),
    title                TEXT NOT NULL,   -- the regulation's title, e.g. 《生成式人工智能服务管理暂行办法》
    title_en             TEXT NOT NULL,
    issued               TEXT NOT NULL,   -- 发布时间
    in_force             TEXT NOT NULL,   -- 实行时间
    defines              TEXT NOT NULL,   -- 定义概念: what the regulation defines
    applies_to           TEXT NOT NULL,   -- 适用对象: whom it applies to
    filing_number_label  TEXT NOT NULL,   -- what the filing number is called: 备案号 / 备案编号
    source_id            TEXT NOT NULL REFERENCES sources(id),
    note                 TEXT
);

-- The regulator's official lists: what each holds, whether the registry holds
-- all of it (then a number it lacks is not on the list), and the
-- regulator's own total.
CREATE TABLE lists (
    id                TEXT PRIMARY KEY,
    regime            TEXT NOT NULL REFERENCES regimes(id),
    kind              TEXT NOT NULL CHECK (kind IN ('filings', 'registrations', 'algorithms')),
    scope             TEXT NOT NULL,         -- 'national', or a region
    title             TEXT NOT NULL,
    publisher         TEXT NOT NULL,
    page              TEXT,                  -- the notice page
    complete          INTEGER NOT NULL CHECK (complete IN (0, 1)),
    as_of             TEXT NOT NULL,         -- complete (or held) as of this date
    held              TEXT,                  -- what of it is held: sequence ranges, batches
    announced_total   TEXT,                  -- the regulator's total ...
    announced_as_of   TEXT,                  -- ... as of this date,
    announced_on      TEXT,                  -- ... announced on this date,
    announced_source  TEXT,                  -- ... where
    note              TEXT
);

-- Where filings come from: a document, a table in it, an official list.
CREATE TABLE sources (
    id            TEXT PRIMARY KEY,
    title         TEXT NOT NULL,
    publisher     TEXT NOT NULL,
    published     TEXT,                  -- publication date
    as_of         TEXT NOT NULL,         -- the date the list describes
    location      TEXT,                  -- where in the document the list is
    completeness  TEXT NOT NULL CHECK (completeness IN ('complete', 'partial')),
    url           TEXT,
    sha256        TEXT,                  -- digest of the imported file, when imported from one
    note          TEXT
);

-- Companies, under the name the lists give them (corrected where the
-- extraction was broken), with the legal entity behind the name when known.
CREATE TABLE companies (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,  -- as listed
    legal_name    TEXT,                  -- registered legal name of the entity that filed, when known
    english_name  TEXT,
    group_name    TEXT,                  -- parent group when the listed name is a brand or unit of one
    source        TEXT,                  -- where legal_name / english_name / group_name can be checked
    note          TEXT
);

-- One row per filing, as a list gives it: the cells as listed, and what the
-- registry says of them.
CREATE TABLE filings (
    id              INTEGER PRIMARY KEY,
    regime          TEXT NOT NULL REFERENCES regimes(id),
    company_id      INTEGER NOT NULL REFERENCES companies(id),
    company_listed  TEXT NOT NULL,       -- the company cell exactly as listed ('' when empty)
    item            TEXT NOT NULL,       -- the item's name (corrected where the extraction was broken)
    item_listed     TEXT NOT NULL,       -- the item cell exactly as listed
    item_kind       TEXT NOT NULL CHECK (item_kind IN ('model', 'algorithm', 'service')),
    list            TEXT REFERENCES lists(id), -- the official list the row is on
    seq             TEXT,                -- 序号: the sequence number in the official list
    filing_no       TEXT,                -- 备案号 / 备案编号 / 上线编号
    role            TEXT,                -- 角色 (deep-synthesis: 服务提供者 / 技术支持者)
    product         TEXT,                -- 应用产品
    purpose         TEXT,                -- 主要用途, as listed
    region          TEXT,                -- 属地
    filed_on        TEXT,
    remark          TEXT,                -- 备注, as listed
    batch           TEXT,
    source_id       TEXT NOT NULL REFERENCES sources(id),
    location        TEXT NOT NULL,       -- where in the source this row is
    status          TEXT NOT NULL DEFAULT 'listed'
                    CHECK (status IN ('listed', 'absent-from-newer', 'cancelled')),
    status_on       TEXT,                -- when the status took effect (a cancellation's date)
    status_source   TEXT REFERENCES sources(id), -- who says so, when not source_id
    same_as         TEXT,                -- the official filing (its number) a row of another source describes
    note            TEXT                 -- ours: corrections, caveats
);
CREATE INDEX filings_company ON filings(company_id);
CREATE INDEX filings_filing_no ON filings(filing_no) WHERE filing_no IS NOT NULL;

-- Imports: each official list imported is a batch, with its source. A list
-- covers a scope (the national list, or one region's); a filing an earlier
-- list of the same regime and scope had and a newer one lacks is marked
-- 'absent-from-newer', never deleted.
CREATE TABLE batches (
    id           INTEGER PRIMARY KEY,
    source_id    TEXT NOT NULL REFERENCES sources(id),
    regime       TEXT NOT NULL REFERENCES regimes(id),
    scope        TEXT NOT NULL,          -- 'national', or a region such as 广东
    imported_at  TEXT NOT NULL,          -- UTC, YYYY-MM-DDTHH:MM:SSZ
    file_name    TEXT,
    sha256       TEXT NOT NULL,          -- digest of the imported file
    rows         INTEGER NOT NULL,       -- filings the list holds
    added        INTEGER NOT NULL,       -- new to the registry
    changed      INTEGER NOT NULL,       -- known, with a field changed
    absent       INTEGER NOT NULL        -- of earlier lists of this scope, missing from this one
);

-- Which filings each batch listed, with the row as listed (JSON), so two
-- batches can be compared.
CREATE TABLE batch_filings (
    batch_id   INTEGER NOT NULL REFERENCES batches(id),
    filing_id  INTEGER NOT NULL REFERENCES filings(id),
    listed     TEXT NOT NULL,
    PRIMARY KEY (batch_id, filing_id)
);
CREATE INDEX batch_filings_filing ON batch_filings(filing_id);

-- Other established names of a company, an item or a group, each with its
-- source.
CREATE TABLE aliases (
    id      INTEGER PRIMARY KEY,
    entity  TEXT NOT NULL CHECK (entity IN ('company', 'item', 'group')),
    name    TEXT NOT NULL,               -- companies.name, filings.item, or companies.group_name
    alias   TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('legal_name', 'english_name', 'brand',
                                          'product_name', 'former_name', 'pinyin')),
    source  TEXT NOT NULL,
    note    TEXT,
    UNIQUE (entity, name, alias)
);

-- Second sources for official filings: a vendor's own disclosure, a page
-- that lists the numbers of the models it hosts, a publication that quotes
-- the list. Keyed by the filing number the source gives.
CREATE TABLE corroborations (
    id         INTEGER PRIMARY KEY,
    filing_no  TEXT NOT NULL,
    source_id  TEXT NOT NULL REFERENCES sources(id),
    location   TEXT NOT NULL,           -- where in the source
    quote      TEXT,                    -- what it says, verbatim
    note       TEXT
);
CREATE INDEX corroborations_filing_no ON corroborations(filing_no);

-- Derived data. Files made before this section existed get it on their next
-- write: filing-check runs everything below the next line on every write.
-- @derived
-- Which sources each regime's filings cite (the as-of dates), without
-- reading every filing.
CREATE INDEX IF NOT EXISTS filings_regime_source ON filings(regime, source_id);

-- The matcher's name index (src/matcher/codec.rs): every company, item and
-- alias name, normalised, so that a lookup need not normalise them all
-- again. It is derived from companies, filings and aliases: any change to
-- them deletes it (the triggers below, whatever program makes the change),
-- and a filing-check write rebuilds it. Without it a lookup reads the whole
-- registry and builds the index itself: the same answers, more slowly.
CREATE TABLE IF NOT EXISTS name_index (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    bytes  BLOB NOT NULL
);
CREATE TRIGGER IF NOT EXISTS name_index_stale_filings_insert AFTER INSERT ON filings
    BEGIN DELETE FROM name_index; END;
CREATE TRIGGER IF NOT EXISTS name_index_stale_filings_update AFTER UPDATE ON filings
    BEGIN DELETE FROM name_index; END;
CREATE TRIGGER IF NOT EXISTS name_index_stale_filings_delete AFTER DELETE ON filings
    BEGIN DELETE FROM name_index; END;
CREATE TRIGGER IF NOT EXISTS name_index_stale_companies_insert AFTER INSERT ON companies
    BEGIN DELETE FROM name_index; END;
CREATE TRIGGER IF NOT EXISTS name_index_stale_companies_update AFTER UPDATE ON companies
    BEGIN DELETE FROM name_index; END;
CREATE TRIGGER IF NOT EXISTS name_index_stale_companies_delete AFTER DELETE ON companies
    BEGIN DELETE FROM name_index; END;
CREATE TRIGGER IF NOT EXISTS name_index_stale_aliases_insert AFTER INSERT ON aliases
    BEGIN DELETE FROM name_index; END;
CREATE TRIGGER IF NOT EXISTS name_index_stale_aliases_update AFTER UPDATE ON aliases
    BEGIN DELETE FROM name_index; END;
CREATE TRIGGER IF NOT EXISTS name_index_stale_aliases_delete AFTER DELETE ON aliases
    BEGIN DELETE FROM name_index; END;
