//! `filing-check serve` under load, on loopback: lookups per second and
//! their p50/p99 latency with 64 concurrent connections (keep-alive), the
//! server's resident memory before, during and after, and the wall time
//! of auditing a 100,000-row upload through `POST /api/v1/audit`.
//!
//! Run with `cargo bench --bench serve` (`-- --secs N --conns N --rows N`).
//! The client runs in this process, one thread per connection, on the same
//! 2 cores as the server: the figures include the client's cost.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const NAMES: &[&str] = &[
    "智谱AI",
    "DeepSeek",
    "文心一言",
    "Beijing-WenXinYiYan-20230821",
    "网信算备110108823483901230031号",
    "可灵",
    "豆包",
    "阶跃星辰",
    "Anthropic",
    "北京月之亮面科技有限公司",
    "讯飞星火",
    "通义千问",
];

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn percent(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

fn main() {
    let secs = common::flag("--secs", 10) as u64;
    let conns = common::flag("--conns", 64);
    let rows = common::flag("--rows", 100_000);
    let mut child = Command::new(env!("CARGO_BIN_EXE_filing-check"))
        .args(["serve", "--listen", "127.0.0.1:0", "--max-audits", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server");
    let pid = child.id();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("the server's URL")
        .trim_end_matches('/')
        .to_string();
    let rss_start = rss_kb(pid);

    // Lookups.
    let stop = Arc::new(AtomicBool::new(false));
    let mut handles = Vec::new();
    for c in 0..conns {
        let stop = stop.clone();
        let url = url.clone();
        handles.push(std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            let mut lat = Vec::new();
            let mut i = c;
            while !stop.load(Ordering::Relaxed) {
                let q = NAMES[i % NAMES.len()];
                i += 1;
                let t = Instant::now();
                let mut resp = agent
                    .get(&format!("{url}/api/v1/lookup?q={}", percent(q)))
                    .call()
                    .expect("a lookup");
                let _ = resp.body_mut().read_to_vec();
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    std::thread::sleep(Duration::from_secs(secs / 2));
    let rss_mid = rss_kb(pid);
    std::thread::sleep(Duration::from_secs(secs - secs / 2));
    stop.store(true, Ordering::Relaxed);
    let mut all: Vec<Duration> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let rss_end = rss_kb(pid);
    all.sort();
    let n = all.len();
    let pct = |p: f64| all[((n as f64 * p) as usize).min(n - 1)];
    println!(
        "lookups: {conns} connections, {secs} s: {n} requests, {:.0}/s; p50 {:.2} ms, p99 {:.2} ms; server RSS {} → {} → {} MB",
        n as f64 / secs as f64,
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        rss_start / 1024,
        rss_mid / 1024,
        rss_end / 1024,
    );

    // A 100,000-row audit upload.
    let mut csv = String::from("供应商,模型,备案号\n");
    for i in 0..rows {
        let v = NAMES[i % NAMES.len()];
        csv.push_str(&format!("{v},{v}大模型{},\n", i % 97));
    }
    let boundary = "----filingcheckbench";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"list.csv\"\r\n\r\n"
    )
    .into_bytes();
    body.extend(csv.as_bytes());
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(300)))
        .build()
        .into();
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let mut resp = agent
            .post(&format!("{url}/api/v1/audit"))
            .header(
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            )
            .send(&body[..])
            .expect("the audit");
        let status = resp.status().as_u16();
        let mut out = Vec::new();
        resp.body_mut()
            .with_config()
            .limit(1 << 30)
            .reader()
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(
            status,
            200,
            "{}",
            String::from_utf8_lossy(&out[..out.len().min(300)])
        );
        times.push(t.elapsed().as_secs_f64());
    }
    println!(
        "audit upload: {rows} rows ({} KB): median {:.2} s of 3 ({:?}); server RSS after {} MB",
        body.len() / 1024,
        common::median(times.clone()),
        times.iter().map(|t| format!("{t:.2}")).collect::<Vec<_>>(),
        rss_kb(pid) / 1024
    );
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let _ = child.wait();
}
