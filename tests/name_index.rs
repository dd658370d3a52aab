//! The name index a registry file keeps, through the real binary.
//!
//! A lookup on a registry file reads the stored index and only the filings
//! it matched, instead of the whole registry. Users rely on that being
//! invisible: the same answers, explanations, as-of dates and warnings as
//! reading everything; an index that no longer fits the data (changed by
//! another program, made by another normaliser) is never used; a damaged
//! one is reported like any damaged file; files made before the index get
//! one on their next write, or from `registry reindex`.

mod util;

use filing_check::matcher::{reseal_index, NameIndex};
use util::{Dir, Run};

/// A deep-synthesis list in the published layout: near-miss companies, a
/// traditional-character name, an English alias of an embedded company's
/// legal name and filing numbers.
const LIST: &str = "\
序号,算法名称,角色,主体名称,应用产品,主要用途,备案编号,备注
1,ChatGLM生成算法,服务提供者,北京智谱华章科技有限公司,智谱清言,文本生成,网信算备110108823483901230031号,
2,星河写作算法,服务提供者,杭州星河未来科技有限公司,星河写作,文本生成,网信算备330106123456789012345号,
3,星河配音算法,技术支持者,杭州星河末来科技有限公司,星河配音,语音合成,网信算备330106123456789012346号,
4,晨曦配音算法,服务提供者,上海晨曦聲學科技有限公司,晨曦,语音合成,网信算备310104111111111111111号,
5,远山剪辑算法,服务提供者,成都远山影像科技有限公司,远山,视频生成,网信算备510107222222222222222号,
";

/// Queries of every kind: exact, legal name, typo, homophone, romanised,
/// company plus item, traditional characters, a number, and names the
/// registry does not hold.
const QUERIES: &[&str] = &[
    "智谱AI",
    "北京智谱华章科技有限公司",
    "智普AI",
    "zhipu",
    "百度 文心一言",
    "杭州星河未来科技有限公司",
    "星河未来",
    "星河末来",
    "上海晨曦声学科技有限公司",
    "晨曦聲學",
    "远山剪辑算法",
    "网信算备330106123456789012345号",
    "网信算备330106123456789012399号",
    "Beijing-WenXinYiYan-20230821",
    "阿里健康",
    "一家不存在的公司",
];

/// A directory with `r.db`: the embedded data plus [`LIST`].
fn registry() -> Dir {
    let dir = Dir::new();
    std::fs::write(dir.join("list.csv"), LIST).unwrap();
    dir.run(&["registry", "init", "r.db"]).expect_code(0);
    import(&dir, "r.db", "list.csv");
    dir
}

fn import(dir: &Dir, db: &str, list: &str) {
    dir.run(&[
        "--registry",
        db,
        "registry",
        "import",
        list,
        "--regime",
        "deep-synthesis",
        "--as-of",
        "2026-11-01",
    ])
    .expect_code(0);
}

fn sql(dir: &Dir, db: &str, statements: &str) {
    let conn = rusqlite::Connection::open(dir.join(db)).unwrap();
    conn.execute_batch(statements).unwrap();
}

fn lookup(dir: &Dir, db: &str) -> Run {
    let mut args = vec!["--registry", db, "--format", "json", "--explain", "--"];
    args.extend_from_slice(QUERIES);
    dir.run(&args)
}

fn status(dir: &Dir, db: &str) -> String {
    let r = dir.run(&["--registry", db, "registry", "status", "--format", "json"]);
    r.expect_code(0);
    r.json()["name_index"].as_str().unwrap().to_string()
}

/// The same lookups on `a` and `b` give the same output, word for word,
/// apart from the file name.
fn same_answers(dir: &Dir, a: &str, b: &str) {
    let (ra, rb) = (lookup(dir, a), lookup(dir, b));
    assert_eq!(ra.code, rb.code, "{}\n{}", ra.stderr, rb.stderr);
    assert_eq!(ra.stdout.replace(a, b), rb.stdout, "answers differ");
    assert_eq!(ra.stderr.replace(a, b), rb.stderr, "warnings differ");
}

#[test]
fn lookups_through_the_stored_index_answer_as_reading_everything_does() {
    let dir = registry();
    assert!(status(&dir, "r.db").starts_with("stored ("));
    std::fs::copy(dir.join("r.db"), dir.join("plain.db")).unwrap();
    sql(&dir, "plain.db", "DELETE FROM name_index;");
    assert!(status(&dir, "plain.db").starts_with("none stored"));
    same_answers(&dir, "r.db", "plain.db");

    // And the answers are the ones users rely on, with the whole registry's
    // as-of dates (the lookup read only some filings).
    let r = lookup(&dir, "r.db");
    let json = r.json();
    let results = json["results"].as_array().unwrap();
    let verdict = |q: &str| {
        results.iter().find(|r| r["query"] == q).unwrap()["verdict"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(verdict("杭州星河未来科技有限公司"), "filed");
    assert_eq!(verdict("晨曦聲學"), "filed");
    assert_eq!(verdict("网信算备330106123456789012345号"), "filed");
    assert_eq!(verdict("一家不存在的公司"), "not-found");
    assert_eq!(json["registry"]["as_of"], "2026-11-01");
    // Each regime's age comes from the stored sources: with a limit of 90
    // days, the embedded genai lists (2026-08) are stale, the imported
    // deep-synthesis batch (2026-11-01) is not.
    let mut args = vec!["--registry", "r.db", "--stale-after", "90", "--"];
    args.extend_from_slice(QUERIES);
    let r = dir.run(&args);
    assert!(
        r.stderr.contains("genai data are as of 2026-08"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("deep-synthesis data"), "{}", r.stderr);
}

#[test]
fn audit_and_list_use_the_stored_index_with_the_same_results() {
    let dir = registry();
    std::fs::copy(dir.join("r.db"), dir.join("plain.db")).unwrap();
    sql(&dir, "plain.db", "DELETE FROM name_index;");
    let mut list = String::from("供应商,备案号\n");
    for q in QUERIES {
        let (name, number) = if q.starts_with("网信") || q.starts_with("Beijing-") {
            ("", *q)
        } else {
            (*q, "")
        };
        list.push_str(&format!("\"{name}\",{number}\n"));
    }
    std::fs::write(dir.join("vendors.csv"), list).unwrap();
    for args in [
        vec!["audit", "vendors.csv", "--no-policy", "--format", "json"],
        vec![
            "registry",
            "list",
            "--company",
            "星河未来",
            "--format",
            "json",
        ],
        vec![
            "registry",
            "list",
            "--company",
            "智谱AI",
            "--format",
            "json",
        ],
    ] {
        let run = |db: &str| {
            let mut a = vec!["--registry", db];
            a.extend_from_slice(&args);
            dir.run(&a)
        };
        let (a, b) = (run("r.db"), run("plain.db"));
        assert_eq!(a.code, b.code, "{args:?}");
        assert!(a.stdout.len() > 100, "{args:?}: {}", a.stdout);
        assert_eq!(a.stdout.replace("r.db", "plain.db"), b.stdout, "{args:?}");
    }
}

#[test]
fn a_change_by_another_program_is_never_answered_from_the_old_index() {
    let dir = registry();
    sql(
        &dir,
        "r.db",
        "UPDATE companies SET name = '杭州银河未来科技有限公司' WHERE name = '杭州星河未来科技有限公司';",
    );
    assert!(status(&dir, "r.db").starts_with("none stored"));
    let r = dir.run(&["--registry", "r.db", "杭州银河未来科技有限公司"]);
    r.expect_code(0);
    dir.run(&["--registry", "r.db", "registry", "reindex"])
        .expect_code(0)
        .expect_stdout_contains(&["wrote the name index"]);
    assert!(status(&dir, "r.db").starts_with("stored ("));
    dir.run(&["--registry", "r.db", "杭州银河未来科技有限公司"])
        .expect_code(0);
    dir.run(&["--registry", "r.db", "registry", "reindex"])
        .expect_code(0)
        .expect_stdout_contains(&["nothing written"]);
}

#[test]
fn an_index_made_by_another_normaliser_is_not_used() {
    let dir = registry();
    std::fs::copy(dir.join("r.db"), dir.join("plain.db")).unwrap();
    sql(&dir, "plain.db", "DELETE FROM name_index;");
    // The normaliser version is bytes 8..12 of the index.
    let conn = rusqlite::Connection::open(dir.join("r.db")).unwrap();
    let mut bytes: Vec<u8> = conn
        .query_row("SELECT bytes FROM name_index", [], |r| r.get(0))
        .unwrap();
    bytes[8] ^= 0x7F;
    conn.execute("UPDATE name_index SET bytes = ?1", [bytes])
        .unwrap();
    drop(conn);
    assert!(
        status(&dir, "r.db").contains("normaliser version"),
        "{}",
        status(&dir, "r.db")
    );
    same_answers(&dir, "r.db", "plain.db");
}

#[test]
fn a_damaged_index_is_reported_like_a_damaged_file() {
    let dir = registry();
    let conn = rusqlite::Connection::open(dir.join("r.db")).unwrap();
    let mut bytes: Vec<u8> = conn
        .query_row("SELECT bytes FROM name_index", [], |r| r.get(0))
        .unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    conn.execute("UPDATE name_index SET bytes = ?1", [bytes])
        .unwrap();
    drop(conn);
    std::fs::write(dir.join("fine.csv"), "供应商\n智谱AI\n").unwrap();
    for args in [
        vec!["--registry", "r.db", "智谱AI"],
        vec!["--registry", "r.db", "registry", "status"],
        vec!["audit", "fine.csv", "--no-policy", "--registry", "r.db"],
        vec![
            "--registry",
            "r.db",
            "registry",
            "import",
            "list.csv",
            "--regime",
            "deep-synthesis",
            "--as-of",
            "2026-11-02",
        ],
    ] {
        let r = dir.run(&args);
        r.expect_code(2);
        assert!(
            r.stderr
                .contains("is damaged (name index: index checksum does not match")
                && r.stderr.contains("registry init --force"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn a_registry_from_before_the_index_gets_one_on_its_next_import() {
    let dir = registry();
    // What a file written by an earlier filing-check holds: no index, no
    // triggers.
    let conn = rusqlite::Connection::open(dir.join("r.db")).unwrap();
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(triggers.len(), 9);
    for t in triggers {
        conn.execute_batch(&format!("DROP TRIGGER {t};")).unwrap();
    }
    conn.execute_batch(
        "DROP TABLE name_index;
         DROP INDEX filings_regime_source;
         CREATE INDEX filings_regime ON filings(regime);",
    )
    .unwrap();
    drop(conn);
    assert!(status(&dir, "r.db").starts_with("none stored"));
    dir.run(&["--registry", "r.db", "杭州星河未来科技有限公司"])
        .expect_code(0);

    std::fs::write(
        dir.join("more.csv"),
        LIST.replace("远山剪辑算法", "远山调色算法")
            .replace("510107222222222222222", "510107222222222222223"),
    )
    .unwrap();
    import(&dir, "r.db", "more.csv");
    assert!(status(&dir, "r.db").starts_with("stored ("));
    let conn = rusqlite::Connection::open(dir.join("r.db")).unwrap();
    let triggers: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(triggers, 9);
    drop(conn);
    dir.run(&["--registry", "r.db", "远山调色算法"])
        .expect_code(0);
}

/// The stored index of `db`, damaged by `edit` (given the index and its
/// bytes) and sealed again, so that the damage gets past the checksum.
fn damage(dir: &Dir, db: &str, edit: impl Fn(&NameIndex, &mut Vec<u8>)) {
    let conn = rusqlite::Connection::open(dir.join(db)).unwrap();
    let mut bytes: Vec<u8> = conn
        .query_row("SELECT bytes FROM name_index", [], |r| r.get(0))
        .unwrap();
    let index = NameIndex::from_bytes(bytes.clone()).unwrap();
    edit(&index, &mut bytes);
    reseal_index(&mut bytes);
    conn.execute("UPDATE name_index SET bytes = ?1", [bytes])
        .unwrap();
}

/// Where record `i` of an array of the index starts.
fn record(index: &NameIndex, array: &str, i: usize) -> usize {
    let (_, offset, count, size) = index.sections().into_iter().find(|s| s.0 == array).unwrap();
    assert!(i < count, "{array} has {count} records");
    offset + i * size
}

/// Every command that answers from a registry file refuses a damaged index
/// with the corrupt-registry message and exit 2, whatever part the damage
/// hits, even when the checksum agrees; none ever exits 101 (a panic).
/// (A lookup checks what it reads, not the whole index: damage is found
/// when an answer would come from it, as here.)
#[test]
fn damage_past_the_checksum_is_an_error_for_every_command() {
    type Edit = fn(&NameIndex, &mut Vec<u8>);
    // (what, how, whether an import reads it, whether a lookup of a number
    // reads it)
    let damages: [(&str, Edit, bool, bool); 4] = [
        // Names pointing at targets that do not exist.
        (
            "name target",
            |ix, b| {
                for i in 0..ix.len() {
                    let at = record(ix, "names", i);
                    b[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
                }
            },
            true,
            false,
        ),
        // Targets whose filings run past the posting list.
        (
            "target filings",
            |ix, b| {
                let targets = ix
                    .sections()
                    .into_iter()
                    .find(|s| s.0 == "targets")
                    .unwrap()
                    .2;
                for i in 0..targets {
                    let at = record(ix, "targets", i) + 16;
                    b[at..at + 4].copy_from_slice(&(u32::MAX - 3).to_le_bytes());
                }
            },
            true,
            false,
        ),
        // The last filing's id past every id the file holds (still in
        // order, so only the data can tell).
        (
            "filing id",
            |ix, b| {
                let n = ix.filing_count();
                let at = record(ix, "filings", n - 1);
                b[at..at + 8].copy_from_slice(&i64::MAX.to_le_bytes());
            },
            false,
            true,
        ),
        // A filing indexed under another company than the file says.
        (
            "filing company",
            |ix, b| {
                let n = ix.filing_count();
                let (_, other, _, _) = ix.filing_at(0);
                let at = record(ix, "filings", n - 1) + 8;
                b[at..at + 8].copy_from_slice(&other.0.to_le_bytes());
            },
            false,
            true,
        ),
    ];
    let dir = registry();
    std::fs::write(dir.join("fine.csv"), "供应商\n远山剪辑算法\n").unwrap();
    for (what, edit, structural, numbers) in damages {
        std::fs::copy(dir.join("r.db"), dir.join("d.db")).unwrap();
        damage(&dir, "d.db", edit);
        let mut uses: Vec<Vec<&str>> = vec![
            vec!["--registry", "d.db", "远山剪辑算法"],
            vec![
                "--registry",
                "d.db",
                "--format",
                "json",
                "--explain",
                "远山剪辑算法",
            ],
            vec!["--registry", "d.db", "registry", "status"],
            vec!["--registry", "d.db", "registry", "list"],
            vec![
                "--registry",
                "d.db",
                "registry",
                "list",
                "--company",
                "远山",
            ],
            vec![
                "--registry",
                "d.db",
                "registry",
                "export",
                "--regime",
                "genai",
            ],
            vec!["--registry", "d.db", "registry", "diff", "r.db", "d.db"],
            vec!["--registry", "d.db", "eval", "q.csv"],
            vec!["audit", "fine.csv", "--no-policy", "--registry", "d.db"],
        ];
        std::fs::write(
            dir.join("q.csv"),
            "query,expected_verdict,expected_company,expected_regimes\n智谱AI,filed,智谱AI,genai|deep-synthesis\n",
        )
        .unwrap();
        if numbers {
            uses.push(vec![
                "--registry",
                "d.db",
                "网信算备510107222222222222222号",
            ]);
        }
        if structural {
            // An import checks the index it is about to replace.
            uses.push(vec![
                "--registry",
                "d.db",
                "registry",
                "import",
                "list.csv",
                "--regime",
                "deep-synthesis",
                "--as-of",
                "2026-11-02",
            ]);
        }
        for args in &uses {
            let r = dir.run(args);
            assert_ne!(r.code, 101, "{what}: {args:?} panicked: {}", r.stderr);
            assert_eq!(r.code, 2, "{what}: {args:?}: {}{}", r.stdout, r.stderr);
            assert!(
                r.stderr.contains("d.db is damaged (name index")
                    && r.stderr.contains("registry init --force"),
                "{what}: {args:?}: {}",
                r.stderr
            );
        }
    }
}
