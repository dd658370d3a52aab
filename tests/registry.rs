//! `filing-check registry …` and registry files: status, list, init, and the
//! errors for files that are missing, corrupt or of a newer schema.

mod util;

use filing_check::registry::SCHEMA_VERSION;
use util::{run, Dir};

/// The filings of `regime` the registry's CSV files hold (the seed's rows
/// and the official lists'), counted from the files themselves.
fn data_rows(regime: &str, company: Option<&str>) -> u64 {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/registry/");
    let mut n = 0;
    for file in ["filings.csv", "lists/genai.csv", "lists/deep-synthesis.csv"] {
        let mut reader = csv::Reader::from_path(format!("{dir}{file}")).unwrap();
        let headers = reader.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let (r, c) = (col("regime"), col("company"));
        for rec in reader.records() {
            let rec = rec.unwrap();
            if (regime == "any" || &rec[r] == regime) && company.is_none_or(|want| &rec[c] == want)
            {
                n += 1;
            }
        }
    }
    n
}

/// The filings a registry file holds, as its status counts them.
fn filings_in(dir: &Dir, db: &str) -> u64 {
    let r = dir.run(&["--registry", db, "registry", "status", "--format", "json"]);
    r.expect_code(0);
    r.json()["regimes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["filings"].as_u64().unwrap())
        .sum()
}

#[test]
fn status_shows_both_regimes_the_source_and_the_date() {
    let r = run(&["registry", "status"]);
    r.expect_code(0);
    r.expect_stdout_contains(&[
        "genai",
        "deep-synthesis",
        &data_rows("genai", None).to_string(),
        &data_rows("deep-synthesis", None).to_string(),
        "2026-08",
        "qianzhan-2024-genai",
        "cac-genai-2026-08",
        "Coverage of the official lists",
        "序号 1–1105",
        "embedded",
        &format!("Schema version:  {SCHEMA_VERSION}"),
    ]);
    let r = run(&["registry", "status", "--format", "json"]);
    r.expect_code(0);
    let json = r.json();
    let count = |regime: &str| {
        json["regimes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["regime"] == regime)
            .unwrap()["filings"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(count("genai"), data_rows("genai", None));
    assert_eq!(count("deep-synthesis"), data_rows("deep-synthesis", None));
    assert!(count("genai") > 1_800 && count("deep-synthesis") > 7_700);
    assert_eq!(json["schema_version"], SCHEMA_VERSION);
    assert_eq!(json["loaded_from"], "embedded");
}

#[test]
fn list_filters_by_regime_and_company() {
    let r = run(&["registry", "list", "--format", "json"]);
    r.expect_code(0);
    assert_eq!(
        r.json().as_array().unwrap().len() as u64,
        data_rows("any", None)
    );

    let r = run(&[
        "registry",
        "list",
        "--regime",
        "deep-synthesis",
        "--company",
        "智谱AI",
        "--format",
        "json",
    ]);
    r.expect_code(0);
    let rows = r.json();
    let rows = rows.as_array().unwrap();
    let zhipu = "北京智谱华章科技有限公司";
    assert_eq!(rows.len() as u64, data_rows("deep-synthesis", Some(zhipu)));
    assert!(rows
        .iter()
        .all(|f| f["company"] == zhipu && f["regime"] == "deep-synthesis"));

    let r = run(&["registry", "list", "--regime", "genai"]);
    r.expect_code(0);
    let genai = data_rows("genai", None);
    assert!(
        r.stdout.contains(&format!("{genai} filing(s)")),
        "{}",
        r.stdout
    );
}

#[test]
fn list_shows_the_corrected_rows_with_what_was_printed() {
    let r = run(&["registry", "list", "--format", "json"]);
    let rows = r.json();
    let find = |item: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|f| f["item"] == item)
            .unwrap_or_else(|| panic!("no {item}"))
            .clone()
    };
    let sensetime = find("日日新大模型");
    assert_eq!(sensetime["item_listed"], "日日星大模型");
    assert!(sensetime["note"].as_str().unwrap().contains("日日星"));
    let yi = find("零一万物大模型");
    // The seed's row, relinked to the entity the official list names.
    assert_eq!(yi["company"], "北京零一万物科技有限公司");
    assert_eq!(yi["company_listed"], "零一万物理");
    assert_eq!(yi["same_as"], "Beijing-LingYiWanWu-20240102");
    let wps = find("WPS AI文本生成算法-1");
    assert_eq!(wps["company"], "北京金山办公软件股份有限公司");
    assert_eq!(wps["company_listed"], "");
}

#[test]
fn a_registry_file_answers_like_the_embedded_registry() {
    let mut dir = Dir::new();
    let db = dir.join("reg.db");
    let db = db.to_str().unwrap();
    dir.run(&["registry", "init", db]).expect_code(0);

    let r = dir.run(&["--registry", db, "--format", "json", "智谱AI"]);
    r.expect_code(0);
    let json = r.json();
    assert_eq!(json["registry"]["loaded_from"], db);
    let embedded = run(&["--format", "json", "智谱AI"]).json();
    assert_eq!(
        json["results"][0]["matches"],
        embedded["results"][0]["matches"]
    );
    assert!(json["results"][0]["matches"].as_array().unwrap().len() >= 6);

    // The environment variable works like the flag.
    dir.env("FILING_CHECK_REGISTRY", db);
    let r = dir.run(&["registry", "status", "--format", "json"]);
    r.expect_code(0);
    assert_eq!(r.json()["loaded_from"], db);

    // init refuses to overwrite without --force.
    let r = dir.run(&["registry", "init", db]);
    r.expect_code(2);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    dir.run(&["registry", "init", "--force", db]).expect_code(0);
}

#[test]
fn a_missing_registry_file_is_an_input_error() {
    let r = run(&["--registry", "nowhere.db", "智谱AI"]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("nowhere.db does not exist"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_file_that_is_not_a_registry_is_refused() {
    let dir = Dir::new();
    let path = dir.join("junk.db");
    std::fs::write(
        &path,
        b"this is not a database, just some bytes \x00\x01\x02 of junk",
    )
    .unwrap();
    let r = dir.run(&["--registry", path.to_str().unwrap(), "智谱AI"]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("is not a filing-check registry"),
        "{}",
        r.stderr
    );

    // An SQLite database of another application is refused too.
    let other = dir.join("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE t (x); PRAGMA user_version = 1;")
        .unwrap();
    drop(conn);
    let r = dir.run(&["--registry", other.to_str().unwrap(), "智谱AI"]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("is not a filing-check registry"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_registry_of_a_newer_schema_is_refused_with_a_fix() {
    let dir = Dir::new();
    let db = dir.join("new.db");
    dir.run(&["registry", "init", db.to_str().unwrap()])
        .expect_code(0);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("PRAGMA user_version = 99;").unwrap();
    drop(conn);
    let r = dir.run(&["--registry", db.to_str().unwrap(), "智谱AI"]);
    r.expect_code(2);
    assert!(
        r.stderr.contains(&format!(
            "schema version 99, newer than this build reads ({SCHEMA_VERSION})"
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("upgrade filing-check"), "{}", r.stderr);
}

/// `registry init --force` over a registry another process has open, with
/// committed changes still in its write-ahead log: afterwards the file holds
/// exactly the new data, and nothing of the old comes back.
#[test]
fn init_force_over_a_live_wal_gives_exactly_the_new_data() {
    let dir = Dir::new();
    let db = dir.join("r.db");
    dir.run(&["registry", "init", db.to_str().unwrap()])
        .expect_code(0);
    let count = |conn: &rusqlite::Connection, sql: &str| -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    };
    // Another process: WAL mode, no checkpoints, a committed change that
    // lives only in the -wal file, and the connection left open.
    let other = rusqlite::Connection::open(&db).unwrap();
    other
        .execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
             INSERT INTO sources (id, title, publisher, as_of, completeness)
                 VALUES ('stale', 'old data', 'x', '2020-01', 'partial');
             INSERT INTO companies (name) VALUES ('旧数据公司');",
        )
        .unwrap();
    let wal = dir.join("r.db-wal");
    assert!(
        std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0),
        "the change should live in the WAL"
    );
    assert_eq!(
        count(&other, "SELECT count(*) FROM sources WHERE id = 'stale'"),
        1
    );

    let r = dir.run(&["registry", "init", "--force", db.to_str().unwrap()]);
    r.expect_code(0);
    // The other process sees the new data, and so does everyone after it.
    assert_eq!(
        count(&other, "SELECT count(*) FROM sources WHERE id = 'stale'"),
        0
    );
    drop(other);
    let conn = rusqlite::Connection::open(&db).unwrap();
    assert_eq!(
        count(&conn, "SELECT count(*) FROM sources WHERE id = 'stale'"),
        0
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM companies WHERE name = '旧数据公司'"
        ),
        0
    );
    assert_eq!(
        count(&conn, "SELECT count(*) FROM filings") as u64,
        data_rows("any", None)
    );
    drop(conn);
    let r = dir.run(&[
        "--registry",
        db.to_str().unwrap(),
        "registry",
        "status",
        "--format",
        "json",
    ]);
    r.expect_code(0);
    let sources: Vec<String> = r.json()["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!sources.contains(&"stale".to_string()), "{sources:?}");
}

/// A registry file of an earlier schema is brought up to this build's when
/// first opened, and answers as a new one does.
#[test]
fn a_registry_of_an_older_schema_is_upgraded_and_answers() {
    let dir = Dir::new();
    for (name, schema) in [
        ("v1.db", include_str!("fixtures/schema-v1.sql")),
        ("v2.db", include_str!("fixtures/schema-v2.sql")),
        ("v3.db", include_str!("fixtures/schema-v3.sql")),
        ("v4.db", include_str!("fixtures/schema-v4.sql")),
    ] {
        let db = dir.join(name);
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(schema).unwrap();
        conn.execute_batch(
            "INSERT INTO sources (id, title, publisher, as_of, completeness)
                 VALUES ('old-list', '旧名单', '国家互联网信息办公室', '2024-04', 'partial');
             INSERT INTO regimes (id, title, title_en, issued, in_force, defines, applies_to,
                                  filing_number_label, source_id)
                 VALUES ('genai', 't', 't', '2023-07', '2023-08-15', 'd', 'a', '备案号', 'old-list');
             INSERT INTO companies (id, name) VALUES (1, '北京百度网讯科技有限公司');
             INSERT INTO filings (regime, company_id, company_listed, item, item_listed,
                                  item_kind, filing_no, source_id, location, status)
                 VALUES ('genai', 1, '北京百度网讯科技有限公司', '文心一言', '文心一言', 'model',
                         'Beijing-WenXinYiYan-20230821', 'old-list', 'row 1', 'listed');",
        )
        .unwrap();
        drop(conn);
        let r = dir.run(&[
            "--registry",
            db.to_str().unwrap(),
            "--format",
            "json",
            "Beijing-WenXinYiYan-20230821",
        ]);
        r.expect_code(0);
        let json = r.json();
        assert_eq!(json["registry"]["schema_version"], SCHEMA_VERSION, "{name}");
        assert_eq!(json["results"][0]["verdict"], "filed", "{name}");
        assert_eq!(
            json["results"][0]["matches"][0]["company"], "北京百度网讯科技有限公司",
            "{name}"
        );
        let conn = rusqlite::Connection::open(&db).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION, "{name}");
    }
}

// ---------------------------------------------------------------------------
// issue 12, item 17: registry footguns
// ---------------------------------------------------------------------------

const DS_LIST: &str = "序号,算法名称,角色,主体名称,应用产品,主要用途,备案编号,备注\n\
    1,甲算法,服务提供者,北京甲科技有限公司,甲,文本生成,网信算备110108823483901230031号,\n";
const GENAI_LIST: &str = "序号,属地,模型名称,备案单位,备案号,备案时间\n\
    1,北京市,文心一言,北京百度网讯科技有限公司,Beijing-WenXinYiYan-20230821,2023/8/31\n";

fn import(dir: &Dir, db: &str, list: &str, regime: &str, extra: &[&str]) -> util::Run {
    let mut args = vec![
        "--registry",
        db,
        "registry",
        "import",
        list,
        "--regime",
        regime,
        "--as-of",
        "2024-04-02",
    ];
    args.extend_from_slice(extra);
    dir.run(&args)
}

#[test]
fn an_import_into_a_registry_file_that_does_not_exist_needs_create() {
    let dir = Dir::new();
    std::fs::write(dir.join("ds.csv"), DS_LIST).unwrap();
    let r = import(&dir, "tpyo.db", "ds.csv", "deep-synthesis", &[]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("tpyo.db does not exist") && r.stderr.contains("--create"),
        "{}",
        r.stderr
    );
    assert!(!dir.join("tpyo.db").exists());
    import(&dir, "new.db", "ds.csv", "deep-synthesis", &["--create"]).expect_code(0);
    assert!(dir.join("new.db").exists());
}

#[test]
fn reset_says_what_it_drops_and_asks_for_yes() {
    let dir = Dir::new();
    std::fs::write(dir.join("ds.csv"), DS_LIST).unwrap();
    dir.run(&["registry", "init", "r.db"]).expect_code(0);
    import(&dir, "r.db", "ds.csv", "deep-synthesis", &[]).expect_code(0);
    let r = dir.run(&["--registry", "r.db", "registry", "reset"]);
    r.expect_code(2);
    assert!(
        r.stderr.contains(&format!(
            "would drop {} filings, 1 imported batch(es)",
            filings_in(&dir, "r.db")
        )) && r.stderr.contains("--yes"),
        "{}",
        r.stderr
    );
    let st = dir.run(&[
        "--registry",
        "r.db",
        "registry",
        "status",
        "--format",
        "json",
    ]);
    assert_eq!(
        st.json()["batches"].as_array().unwrap().len(),
        1,
        "reset without --yes changed it"
    );
    dir.run(&["--registry", "r.db", "registry", "reset", "--yes"])
        .expect_code(0);
    let st = dir.run(&[
        "--registry",
        "r.db",
        "registry",
        "status",
        "--format",
        "json",
    ]);
    assert_eq!(st.json()["batches"].as_array().unwrap().len(), 0);
}

#[test]
fn a_diff_of_batches_of_two_regimes_is_refused() {
    let dir = Dir::new();
    std::fs::write(dir.join("ds.csv"), DS_LIST).unwrap();
    std::fs::write(dir.join("g.csv"), GENAI_LIST).unwrap();
    dir.run(&["registry", "init", "r.db"]).expect_code(0);
    import(&dir, "r.db", "ds.csv", "deep-synthesis", &[]).expect_code(0);
    import(&dir, "r.db", "g.csv", "genai", &[]).expect_code(0);
    let r = dir.run(&["--registry", "r.db", "registry", "diff", "1", "2"]);
    r.expect_code(2);
    assert!(r.stderr.contains("two regimes"), "{}", r.stderr);
}

#[test]
fn a_command_typo_or_a_lone_file_suggests_the_command() {
    let dir = Dir::new();
    std::fs::write(dir.join("list.csv"), "供应商\n智谱AI\n").unwrap();
    for (args, hint) in [
        (
            vec!["audti", "list.csv"],
            "did you mean `filing-check audit list.csv`",
        ),
        (
            vec!["status"],
            "did you mean `filing-check registry status`",
        ),
        (vec!["list.csv"], "run `filing-check audit list.csv`"),
    ] {
        let r = dir.run(&args);
        r.expect_code(2);
        assert!(r.stderr.contains(hint), "{args:?}: {}", r.stderr);
    }
    // After `--`, a name is a name.
    let r = dir.run(&["--", "status"]);
    r.expect_code(1);
    // A real name near a command is still looked up.
    dir.run(&["智谱AI"]).expect_code(0);
}

#[test]
fn a_number_excel_turned_into_scientific_notation_gets_a_hint() {
    let dir = Dir::new();
    std::fs::write(
        dir.join("list.csv"),
        "供应商,备案编号\n北京智谱华章科技有限公司,1.10108823483901E+20\n",
    )
    .unwrap();
    let r = dir.run(&["audit", "list.csv", "--no-policy", "--format", "json"]);
    r.expect_code(1);
    let row = &r.json()["rows"][0];
    assert_eq!(row["code"], "malformed-number", "{row:#}");
    assert!(
        row["reason"]
            .as_str()
            .unwrap()
            .contains("format the column as text"),
        "{row:#}"
    );
}

#[test]
fn an_exception_whose_reason_is_still_todo_is_refused() {
    let dir = Dir::new();
    std::fs::write(dir.join("list.csv"), "供应商\nAnthropic\n").unwrap();
    std::fs::write(
        dir.join("filing-check.toml"),
        "[[exceptions]]\nvendor = \"Anthropic\"\nreason = \"TODO: why this is acceptable (not-found: not-in-registry)\"\napproved-by = \"me\"\nexpires = 2099-01-31\n",
    )
    .unwrap();
    let r = dir.run(&["audit", "list.csv"]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("filing-check.toml:") && r.stderr.contains("TODO"),
        "{}",
        r.stderr
    );
}
