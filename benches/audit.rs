//! Audit throughput and peak memory on a 1,000,000-row vendor list.
//!
//! Run with `cargo bench --bench audit` (add `-- --rows N` for another size,
//! `-- --runs N` for more runs). It generates a synthetic procurement list
//! with the mix real lists have — listed names, legal and English names,
//! aliases, vendor + model pairs, typos, near-miss companies, unrelated
//! vendors, and heavy repetition (a few thousand distinct rows, most of them
//! repeated) — then runs the release binary on it as a user would, in
//! several output formats and in GBK, and reports the median wall time, rows
//! per second and peak resident memory (from `/usr/bin/time`, when present).
//!
//! The list (and its GBK copy) is written under `target/tmp/bench-data/`;
//! the generator is deterministic (a fixed-seed xorshift), so every run and
//! every machine audits the same rows.

mod common;

use std::fs;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use filing_check::registry::{Location, Registry};

/// A fixed-seed xorshift64*: the same list on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// A typo: one character dropped, doubled or two swapped.
fn typo(rng: &mut Rng, s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    if c.len() < 3 {
        return s.to_string();
    }
    let i = rng.below(c.len() - 1);
    match rng.below(3) {
        0 => {
            c.remove(i);
        }
        1 => c.insert(i, c[i]),
        _ => c.swap(i, i + 1),
    }
    c.into_iter().collect()
}

/// Vendor names no registry holds: syllables + a company suffix.
fn unrelated(rng: &mut Rng) -> String {
    const A: &[&str] = &[
        "云", "星", "海", "智", "数", "联", "创", "华", "博", "远", "锐", "恒", "启", "鸿",
    ];
    const B: &[&str] = &[
        "图", "擎", "帆", "策", "途", "信", "泽", "科", "元", "衡", "翼", "川",
    ];
    const S: &[&str] = &[
        "科技有限公司",
        "信息技术有限公司",
        "网络科技有限公司",
        " Ltd",
        "软件",
    ];
    const EN: &[&str] = &[
        "OpenAI",
        "Anthropic",
        "Midjourney",
        "Cohere",
        "Stability AI",
        "Perplexity",
        "Mistral AI",
    ];
    if rng.chance(0.15) {
        return rng.pick(EN).to_string();
    }
    format!("{}{}{}", rng.pick(A), rng.pick(B), rng.pick(S))
}

/// The distinct rows of the list: (vendor, model, filing number).
fn distinct_rows(reg: &Registry, rng: &mut Rng, n: usize) -> Vec<[String; 3]> {
    let snap = &reg.snapshot;
    let companies: Vec<_> = snap.companies.iter().collect();
    let mut rows = Vec::with_capacity(n);
    while rows.len() < n {
        let f = rng.pick(&snap.filings);
        let c = companies
            .iter()
            .find(|c| c.id == f.company_id)
            .copied()
            .unwrap_or(companies[0]);
        let aliases: Vec<&str> = snap
            .aliases
            .iter()
            .filter(|a| a.name == c.name)
            .map(|a| a.alias.as_str())
            .collect();
        let vendor = match rng.below(6) {
            0 => c.name.clone(),
            1 => c.legal_name.clone().unwrap_or_else(|| c.name.clone()),
            2 => c.english_name.clone().unwrap_or_else(|| c.name.clone()),
            3 if !aliases.is_empty() => rng.pick(&aliases).to_string(),
            4 => typo(rng, &c.name),
            _ => c.name.clone(),
        };
        let row = match rng.below(10) {
            // Filed vendor alone, or with its own model.
            0..=2 => [vendor, String::new(), String::new()],
            3..=5 => [vendor, f.item.clone(), String::new()],
            // A near miss: the company's name plus another business.
            6 => [
                format!("{}咨询服务部", c.name),
                String::new(),
                String::new(),
            ],
            // Another company's model.
            7 => [vendor, rng.pick(&snap.filings).item.clone(), String::new()],
            // Unrelated vendors.
            _ => [unrelated(rng), String::new(), String::new()],
        };
        rows.push(row);
    }
    rows
}

/// Writes the list: header, then rows drawn with a skewed (Zipf-like)
/// distribution over the distinct rows.
fn generate(path: &Path, rows: usize) -> std::io::Result<()> {
    let reg = Registry::load(&Location::Embedded).expect("embedded registry");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let distinct = distinct_rows(&reg, &mut rng, 5_000);
    let mut w = csv::Writer::from_writer(BufWriter::new(fs::File::create(path)?));
    w.write_record(["序号", "供应商名称", "模型/产品", "备案号", "部门"])?;
    const DEPTS: &[&str] = &["市场部", "研发部", "客户服务部", "行政部", "法务部"];
    for i in 0..rows {
        // Square of a uniform variate: small indexes are much more common.
        let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
        let r = &distinct[((u * u) * distinct.len() as f64) as usize % distinct.len()];
        let line = (i + 1).to_string();
        let dept: &str = DEPTS[rng.below(DEPTS.len())];
        w.write_record([line.as_str(), &r[0], &r[1], &r[2], dept])?;
    }
    w.flush()?;
    Ok(())
}

fn gbk_copy(src: &Path, dst: &Path) -> std::io::Result<()> {
    let text = fs::read_to_string(src)?;
    let (bytes, _, _) = encoding_rs::GBK.encode(&text);
    fs::write(dst, bytes)
}

struct Measure {
    secs: f64,
    rss_kb: Option<u64>,
}

/// Runs the binary once, under `/usr/bin/time` when there is one.
fn run_once(bin: &Path, args: &[&str]) -> Measure {
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.args(["-f", "%M"]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args);
    let start = Instant::now();
    let out = cmd.output().expect("run filing-check");
    let secs = start.elapsed().as_secs_f64();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "filing-check failed ({code}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rss_kb = time
        .exists()
        .then(|| {
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .and_then(|l| l.trim().parse().ok())
        })
        .flatten();
    Measure { secs, rss_kb }
}

fn main() {
    let rows = common::flag("--rows", 1_000_000);
    let runs = common::flag("--runs", 5);

    let bin = PathBuf::from(env!("CARGO_BIN_EXE_filing-check"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-data");
    fs::create_dir_all(&dir).expect("bench data dir");
    let list = dir.join(format!("vendors-{rows}.csv"));
    let gbk = dir.join(format!("vendors-{rows}-gbk.csv"));
    let t = Instant::now();
    generate(&list, rows).expect("generate the list");
    gbk_copy(&list, &gbk).expect("GBK copy");
    println!(
        "generated {rows} rows in {:.1} s: {} ({} MB)",
        t.elapsed().as_secs_f64(),
        list.display(),
        fs::metadata(&list).map_or(0, |m| m.len() / 1_000_000)
    );

    let out = dir.join("report");
    let list_s = list.to_string_lossy().into_owned();
    let gbk_s = gbk.to_string_lossy().into_owned();
    let out_s = out.to_string_lossy().into_owned();
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "csv report, UTF-8 input",
            vec!["audit", &list_s, "--format", "csv", "-o", &out_s],
        ),
        (
            "jsonl report, UTF-8 input",
            vec!["audit", &list_s, "--format", "jsonl", "-o", &out_s],
        ),
        (
            "json report, UTF-8 input",
            vec!["audit", &list_s, "--format", "json", "-o", &out_s],
        ),
        (
            "csv report, GBK input",
            vec!["audit", &gbk_s, "--format", "csv", "-o", &out_s],
        ),
        (
            "--quiet csv (failures only)",
            vec!["audit", &list_s, "--format", "csv", "--quiet", "-o", &out_s],
        ),
    ];
    println!(
        "\n{runs} runs each, median; rows/s = {rows} / median wall time (process start to exit)\n"
    );
    println!("| case | median wall | rows/s | peak RSS |");
    println!("| --- | --- | --- | --- |");
    for (name, args) in cases {
        let mut m: Vec<Measure> = (0..runs).map(|_| run_once(&bin, &args)).collect();
        m.sort_by(|a, b| a.secs.total_cmp(&b.secs));
        let med = &m[m.len() / 2];
        let rss = m.iter().filter_map(|x| x.rss_kb).max();
        println!(
            "| {name} | {:.2} s | {:.0} | {} |",
            med.secs,
            rows as f64 / med.secs,
            rss.map_or("n/a".to_string(), |kb| format!(
                "{:.0} MB",
                kb as f64 / 1024.0
            ))
        );
    }
    let _ = fs::remove_file(&out);
}
