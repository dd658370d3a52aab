//! Matching throughput on the embedded registry, in queries per second.
//!
//! Run with `cargo bench --bench matching`. Each round looks up every query
//! of `tests/fixtures/queries.csv` (a realistic mix of listed names, legal and
//! English names, typos, pairs and negatives); the figure is the median of
//! the rounds, so a noisy machine moves it little. Index building is timed
//! separately: it happens once per process.

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use filing_check::eval::parse_cases;
use filing_check::matcher::Matcher;
use filing_check::model::RegimeFilter;
use filing_check::registry::{Location, Registry};

fn main() {
    let text = include_str!("../tests/fixtures/queries.csv");
    let queries: Vec<String> = parse_cases("queries.csv", text)
        .expect("fixture parses")
        .into_iter()
        .map(|c| c.query)
        .collect();

    let t = Instant::now();
    let registry = Registry::load(&Location::Embedded).expect("embedded registry");
    let load = t.elapsed();

    let builds: Vec<Duration> = (0..21)
        .map(|_| {
            let t = Instant::now();
            black_box(Matcher::new(&registry.snapshot));
            t.elapsed()
        })
        .collect();
    let matcher = Matcher::new(&registry.snapshot);

    // `-- --slowest N`: the N queries that cost most, each timed alone (the
    // median of 21 lookups without the explanation, as the API and audits
    // ask), with the number of names the matcher scored.
    let slowest = common::flag("--slowest", 0);
    if slowest > 0 {
        let mut each: Vec<(Duration, usize, &str)> = queries
            .iter()
            .map(|q| {
                let times = (0..21)
                    .map(|_| {
                        let t = Instant::now();
                        black_box(matcher.lookup_brief(black_box(q), RegimeFilter::Any));
                        t.elapsed()
                    })
                    .collect();
                let scored = matcher
                    .lookup(q, RegimeFilter::Any)
                    .explain
                    .candidates
                    .len();
                (common::median(times), scored, q.as_str())
            })
            .collect();
        each.sort_by_key(|e| std::cmp::Reverse(e.0));
        let total: Duration = each.iter().map(|e| e.0).sum();
        println!(
            "{} queries, {:.1} µs each on average",
            each.len(),
            total.as_secs_f64() * 1e6 / each.len() as f64
        );
        for (t, scored, q) in each.iter().take(slowest) {
            println!(
                "{:>9.1} µs  {scored:>6} candidates  {q}",
                t.as_secs_f64() * 1e6
            );
        }
        return;
    }

    let rounds = 31;
    let per_round = 20; // passes over the query set per timed round
    let times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per_round {
                for q in &queries {
                    black_box(matcher.lookup(black_box(q), RegimeFilter::Any));
                }
            }
            t.elapsed()
        })
        .collect();
    let lookups = (queries.len() * per_round) as f64;
    let med = common::median(times.clone());
    let min = *times.iter().min().unwrap();
    let max = *times.iter().max().unwrap();
    println!(
        "embedded registry: {} filings, {} queries in the set",
        registry.snapshot.filings.len(),
        queries.len()
    );
    println!(
        "load embedded registry (compiled-in CSV → snapshot): {:.2} ms",
        load.as_secs_f64() * 1e3
    );
    println!(
        "build matcher index: median {:.1} µs",
        common::median(builds).as_secs_f64() * 1e6
    );
    println!(
        "matching: median {:.0} queries/s ({:.1} µs/query) over {rounds} rounds; fastest {:.0}/s, slowest {:.0}/s",
        lookups / med.as_secs_f64(),
        med.as_secs_f64() * 1e6 / lookups,
        lookups / min.as_secs_f64(),
        lookups / max.as_secs_f64(),
    );
}
