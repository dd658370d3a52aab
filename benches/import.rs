//! Import time for a 20,000-row published list, and a cold lookup on the
//! registry it makes.
//!
//! Run with `cargo bench --bench import` (`-- --rows N --runs N` to change).
//! It writes a synthetic deep-synthesis list in the published layout (序号,
//! 算法名称, 角色, 主体名称, 应用产品, 主要用途, 备案编号, 备注; some 2,000
//! companies, well-formed numbers), then for each run makes a fresh registry
//! file from the embedded data and times `filing-check registry import` on it
//! as a user runs it (whole process). Then it times cold `filing-check
//! <name>` lookups against the resulting registry of about 20,000 filings:
//! a listed name, a typo of one, a name it does not hold, and the listed
//! name again on a copy without the stored name index (as a file from an
//! earlier version is, before `registry reindex`). Last, `audit` of a
//! 4-row list on the registry, with and without the stored index (11 runs).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn write_list(path: &Path, rows: usize) -> std::io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "序号",
        "算法名称",
        "角色",
        "主体名称",
        "应用产品",
        "主要用途",
        "备案编号",
        "备注",
    ])?;
    const KINDS: &[&str] = &[
        "文本生成",
        "图像生成",
        "语音合成",
        "视频生成",
        "对话",
        "数字人",
    ];
    const ROLES: &[&str] = &["服务提供者", "技术支持者"];
    for i in 0..rows {
        let company = format!("星河{:04}科技有限公司", i % 2_000);
        let kind = KINDS[i % KINDS.len()];
        let item = format!("星河{:04}{kind}算法{}", i % 2_000, i / 2_000);
        let number = format!("网信算备110108{:015}号", 100_000_000 + i);
        w.write_record([
            (i + 1).to_string().as_str(),
            &item,
            ROLES[i % 2],
            &company,
            &format!("星河{:04}助手", i % 2_000),
            kind,
            &number,
            "",
        ])?;
    }
    w.flush()
}

fn run(bin: &Path, args: &[&str], env: &[(&str, &str)]) -> f64 {
    let mut cmd = Command::new(bin);
    cmd.args(args).env_remove("FILING_CHECK_REGISTRY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let t = Instant::now();
    let out = cmd.output().expect("run filing-check");
    let secs = t.elapsed().as_secs_f64();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "filing-check {args:?} failed ({code}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    secs
}

fn main() {
    let rows = common::flag("--rows", 20_000);
    let runs = common::flag("--runs", 5);
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_filing-check"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-import");
    fs::create_dir_all(&dir).expect("bench dir");
    let list = dir.join(format!("deep-synthesis-{rows}.csv"));
    write_list(&list, rows).expect("write the list");
    let list_s = list.to_string_lossy().into_owned();
    let quiet = [("FILING_CHECK_STALE_AFTER", "1000000")];

    let db = dir.join("registry.db");
    let db_s = db.to_string_lossy().into_owned();
    let mut times = Vec::new();
    for _ in 0..runs {
        for suffix in ["", "-wal", "-shm"] {
            let _ = fs::remove_file(format!("{db_s}{suffix}"));
        }
        run(&bin, &["registry", "init", &db_s], &quiet);
        times.push(run(
            &bin,
            &[
                "--registry",
                &db_s,
                "registry",
                "import",
                &list_s,
                "--regime",
                "deep-synthesis",
                "--as-of",
                "2026-11-01",
            ],
            &quiet,
        ));
    }
    let import = common::median(times);
    let cold = |db: &str, query: &str| {
        let times: Vec<f64> = (0..31)
            .map(|_| run(&bin, &["--registry", db, query], &quiet))
            .collect();
        common::median(times)
    };
    // The registry as an earlier filing-check left it: no stored name index,
    // so a lookup reads every filing and normalises every name.
    let plain = dir.join("registry-without-index.db");
    let plain_s = plain.to_string_lossy().into_owned();
    fs::copy(&db, &plain).expect("copy the registry");
    rusqlite::Connection::open(&plain)
        .and_then(|c| c.execute_batch("DELETE FROM name_index"))
        .expect("drop the index of the copy");
    let lookups = [
        ("a listed name", "星河0042科技有限公司", db_s.as_str()),
        ("a typo of one", "星河0042科技有线公司", db_s.as_str()),
        ("a name it does not hold", "一家不存在的公司", db_s.as_str()),
        (
            "a listed name, without the stored index",
            "星河0042科技有限公司",
            plain_s.as_str(),
        ),
    ]
    .map(|(what, query, db)| (what, query, cold(db, query)));
    // An audit reads the whole registry, and uses the stored index too.
    let vendors = dir.join("vendors.csv");
    fs::write(
        &vendors,
        "供应商\n星河0042科技有限公司\n星河0042科技有线公司\n智谱AI\n一家不存在的公司\n",
    )
    .expect("write the vendor list");
    let vendors_s = vendors.to_string_lossy().into_owned();
    let audit = |db: &str| {
        let times: Vec<f64> = (0..11)
            .map(|_| {
                run(
                    &bin,
                    &["audit", &vendors_s, "--no-policy", "--registry", db],
                    &quiet,
                )
            })
            .collect();
        common::median(times)
    };
    let audits = [
        ("with the stored name index", audit(&db_s)),
        ("without it", audit(&plain_s)),
    ];
    let embedded: Vec<f64> = (0..31).map(|_| run(&bin, &["智谱AI"], &quiet)).collect();
    let embedded = common::median(embedded);
    let spawn: Vec<f64> = (0..31)
        .map(|_| {
            let t = Instant::now();
            let _ = Command::new("/bin/true").status();
            t.elapsed().as_secs_f64()
        })
        .collect();
    let spawn = common::median(spawn);

    println!(
        "\n| measure ({rows}-row list, {runs} runs for import, 31 for lookups; medians) | figure |"
    );
    println!("| --- | --- |");
    println!(
        "| `registry import` of {rows} rows into a fresh registry file | {:.2} s ({:.0} rows/s) |",
        import,
        rows as f64 / import
    );
    for (what, query, secs) in lookups {
        println!(
            "| cold `filing-check {query}` on that registry (~{} filings): {what} | {:.1} ms |",
            rows + 78,
            secs * 1e3
        );
    }
    for (what, secs) in audits {
        println!(
            "| `filing-check audit` of a 4-row list on that registry, {what} | {:.1} ms |",
            secs * 1e3
        );
    }
    println!(
        "| cold `filing-check 智谱AI` on the embedded registry | {:.1} ms |",
        embedded * 1e3
    );
    println!(
        "| `/bin/true` (process spawn baseline) | {:.1} ms |",
        spawn * 1e3
    );
}
