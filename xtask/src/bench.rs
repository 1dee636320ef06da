//! `cargo xtask bench`: run the criterion benchmarks (and, with `--peers`, the peer
//! baselines), then write `docs/performance.md` with medians and ratios.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::{cargo, root};

/// A criterion measurement: median time per iteration (ns) and elements per iteration.
#[derive(Debug, Clone, Copy)]
struct Measured {
    median_ns: f64,
    elements: f64,
}

impl Measured {
    fn per_second(&self) -> f64 {
        self.elements / (self.median_ns * 1e-9)
    }
}

pub(crate) struct Options {
    pub(crate) quick: bool,
    pub(crate) run: bool,
    pub(crate) peers: bool,
    pub(crate) runs: bool,
    pub(crate) accuracy: bool,
}

pub(crate) fn bench(options: Options) -> Result<(), String> {
    let root = root();
    let mut command = vec!["bench", "-p", "nlif-benches", "--benches", "--"];
    if options.quick {
        command.extend(["--warm-up-time", "1", "--measurement-time", "3"]);
    }
    if options.run {
        cargo(&command)?;
    }
    let measured = collect(&root.join("target/criterion"))?;
    if measured.is_empty() {
        return Err("no criterion results under target/criterion: run without --no-run".into());
    }
    let peers = if options.peers {
        run_peers(&root)?
    } else {
        Peers::default()
    };
    let invocation = format!(
        "cargo xtask bench{}{}{}{}",
        if options.quick { " --quick" } else { "" },
        if options.run { "" } else { " --no-run" },
        if options.peers { " --peers" } else { "" },
        if options.runs { " --runs" } else { "" }
    ) + if options.accuracy { " --accuracy" } else { "" };
    let mut report = render(&measured, &peers, &invocation, &command);
    if options.runs {
        report.push_str(&crate::runs::whole_runs(options.quick)?);
    }
    if options.accuracy {
        let (text, points) = crate::accuracy::section(options.quick)?;
        report.push_str(&text);
        let dir = root.join("target/bench");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let path = dir.join("accuracy.json");
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&points).unwrap_or_default(),
        )
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        crate::accuracy_plot::draw(&points, &root.join("docs/figures/accuracy"))?;
    }
    let path = root.join("docs/performance.md");
    std::fs::write(&path, report).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("xtask: wrote {}", path.display());
    Ok(())
}

fn collect(dir: &Path) -> Result<BTreeMap<String, Measured>, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.ends_with("new/benchmark.json") {
                let meta = read_json(&path)?;
                let estimates = read_json(&path.with_file_name("estimates.json"))?;
                let id = meta["full_id"].as_str().unwrap_or_default().to_owned();
                let median_ns = estimates["median"]["point_estimate"]
                    .as_f64()
                    .unwrap_or(f64::NAN);
                let elements = meta["throughput"]["Elements"].as_f64().unwrap_or(1.0);
                out.insert(
                    id,
                    Measured {
                        median_ns,
                        elements,
                    },
                );
            }
        }
    }
    Ok(out)
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[derive(Default)]
struct Peers {
    scipy: Option<Value>,
    brian2: Vec<Value>,
}

fn python(root: &Path, args: &[&str]) -> Result<Value, String> {
    eprintln!("xtask: python3 {}", args.join(" "));
    let output = Command::new("python3")
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "python3 {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).map_err(|e| format!("peer output `{line}`: {e}"))
}

/// Runs the peers; a peer that cannot run (not installed) is reported and left out.
fn run_peers(root: &Path) -> Result<Peers, String> {
    let warn = |r: Result<Value, String>| r.map_err(|e| eprintln!("xtask: peer skipped: {e}")).ok();
    let scipy = warn(python(root, &["benches/peers/fp_scipy.py", "--json"]));
    let mut brian2 = Vec::new();
    // Long enough to relax (the rate column is the mean over the second half of the run).
    for b in ["0", "0.5"] {
        for (n, t_end) in [("10000", "10"), ("100000", "6"), ("1000000", "4")] {
            let args = [
                "benches/peers/lif_brian2.py",
                "--json",
                "--n",
                n,
                "--b",
                b,
                "--t-end",
                t_end,
            ];
            brian2.extend(warn(python(root, &args)));
        }
    }
    Ok(Peers { scipy, brian2 })
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!("{cpu}, {cores} cores; {rustc}")
}

fn render(
    m: &BTreeMap<String, Measured>,
    peers: &Peers,
    invocation: &str,
    command: &[&str],
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Performance\n");
    let _ = writeln!(
        s,
        "Generated by `{invocation}` (criterion: `cargo {}`). Machine: {}.\n\
         Medians of criterion samples; ratios are taken between runs of the same session,\n\
         which is what stays meaningful on a noisy machine. Regenerate with the same command.\n",
        command.join(" "),
        machine()
    );
    micro_table(&mut s, m, peers);
    macro_table(&mut s, m, peers);
    s
}

fn micro_table(s: &mut String, m: &BTreeMap<String, Measured>, peers: &Peers) {
    let _ = writeln!(
        s,
        "## Particle step (`nlif-micro`, `benches/micro_step.rs`)\n"
    );
    let _ = writeln!(
        s,
        "One step of `dt = 1e-3`, in neuron-steps per second (10^6/s = M/s). `b = 0`: relaxed\n\
         uncoupled network; `b = 3`: the blow-up case A just before its first burst (cascades).\n\
         Goal: 8× Brian2 per core (below).\n"
    );
    let _ = writeln!(
        s,
        "| b | stepper | N_p | 1 thread (M/s) | all threads (M/s) |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|");
    for b in ["b=0", "b=0.5", "b=3"] {
        for stepper in ["EulerMaruyama", "BrownianBridge", "ExactOu"] {
            for n in ["10000", "100000", "1000000"] {
                let one = m.get(&format!("micro_step/{b}/{stepper}/1thread/{n}"));
                let all = m.get(&format!("micro_step/{b}/{stepper}/all-threads/{n}"));
                if let (Some(one), Some(all)) = (one, all) {
                    let _ = writeln!(
                        s,
                        "| {} | {stepper} | {n} | {:.0} | {:.0} |",
                        &b[2..],
                        one.per_second() / 1e6,
                        all.per_second() / 1e6
                    );
                }
            }
        }
    }
    normals_table(s, m);
    if let Some(first) = peers.brian2.first() {
        let version = first["brian2"].as_str().unwrap_or("(unknown version)");
        let _ = writeln!(
            s,
            "\n### Against Brian2 (Euler–Maruyama, `dt = 1e-3`)\n\n\
             Brian2 {version} with Cython code generation (`benches/peers/lif_brian2.py`), one\n\
             thread. For `b = 0.5` Brian2 applies the summed kick of each step's spikes through a\n\
             `network_operation` (its cheapest correct all-to-all form; no in-step cascades).\n\
             Ratio = ours / Brian2 throughput. The long-run rates of both are compared with the\n\
             exact stationary rate in the whole-run section below.\n"
        );
        let _ = writeln!(
            s,
            "| b | N_p | Brian2 (M/s) | ours, 1 thread (M/s) | ratio | ours, all threads (M/s) | ratio | bridge, 1 thread: ratio | Brian2 long-run rate |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|");
        for peer in &peers.brian2 {
            let n = peer["n"].as_u64().unwrap_or(0);
            let b = peer["b"].as_f64().unwrap_or(0.0);
            let theirs = peer["neuron_steps_per_second"].as_f64().unwrap_or(f64::NAN);
            let rate = peer["rate"]
                .as_f64()
                .map_or("—".to_owned(), |r| format!("{r:.5}"));
            let one = m.get(&format!("micro_step/b={b}/EulerMaruyama/1thread/{n}"));
            let all = m.get(&format!("micro_step/b={b}/EulerMaruyama/all-threads/{n}"));
            let bridge = m
                .get(&format!("micro_step/b={b}/BrownianBridge/1thread/{n}"))
                .map_or("—".to_owned(), |x| {
                    format!("{:.1}×", x.per_second() / theirs)
                });
            if let (Some(one), Some(all)) = (one, all) {
                let _ = writeln!(
                    s,
                    "| {b} | {n} | {:.0} | {:.0} | {:.1}× | {:.0} | {:.1}× | {bridge} | {rate} |",
                    theirs / 1e6,
                    one.per_second() / 1e6,
                    one.per_second() / theirs,
                    all.per_second() / 1e6,
                    all.per_second() / theirs
                );
            }
        }
    }
    let _ = writeln!(s);
}

/// The step before the batched normals (ziggurat in a plain loop), with them in the plain
/// loop, and now (batched normals, split pass), measured in one criterion group
/// (`micro_normals`).
fn normals_table(s: &mut String, m: &BTreeMap<String, Measured>) {
    let mut rows = Vec::new();
    for b in ["b=0", "b=0.5"] {
        for stepper in ["EulerMaruyama", "BrownianBridge"] {
            for n in ["100000", "1000000"] {
                let get = |variant: &str| {
                    m.get(&format!("micro_normals/{b}/{stepper}/{variant}/{n}"))
                        .map(|x| x.median_ns / x.elements)
                };
                if let (Some(before), Some(now)) = (get("ziggurat"), get("batched")) {
                    let plain =
                        get("batched-plain").map_or("—".to_owned(), |p| format!("{p:.2}"));
                    let custom = get("batched-custom")
                        .map_or("—".to_owned(), |c| format!("{c:.2} ({:.2})", c / now));
                    rows.push(format!(
                        "| {} | {stepper} | {n} | {before:.2} | {plain} | {now:.2} | {:.2}× | {:.0} | {custom} |",
                        &b[2..],
                        before / now,
                        1e3 / now
                    ));
                }
            }
        }
    }
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\n### The particle step: batched normals and the split pass (one thread)\n\n\
         Three versions of the same step, from the same relaxed state, in one criterion group\n\
         (`micro_normals`), so the ratios are measured side by side: *before*, one `rand_distr`\n\
         ziggurat deviate drawn inside a plain loop over `advance` (`Outside<true, false>` in\n\
         `benches/micro_step.rs`); *batched, plain loop*, the batched, vectorized Box–Muller\n\
         deviates (`nlif_micro::normal`) with the plain loop (`Outside<false, false>`); *now*, the\n\
         built-in step: batched deviates and the vectorized split pass (docs/nlif-micro.md, \"The\n\
         particle pass\"). Last column: the built-in step written outside the crate as a custom\n\
         stepper in split form (`Outside<false, true>`; in brackets its time over the built-in's).\n"
    );
    let _ = writeln!(
        s,
        "| b | stepper | N_p | before (ns/neuron-step) | batched, plain loop | now | speed-up | now (M/s) | custom stepper |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        let _ = writeln!(s, "{row}");
    }
}

fn macro_table(s: &mut String, m: &BTreeMap<String, Measured>, peers: &Peers) {
    let _ = writeln!(
        s,
        "## Fokker–Planck step (`fp-macro`, `benches/macro_step.rs`)\n"
    );
    let _ = writeln!(
        s,
        "One semi-implicit step (the face weights in one vectorized pass, then the rows formed\n\
         inside an O(n) two-way elimination with the implicit re-injection, docs/fp-macro.md),\n\
         `b = 0.5`, against the floor: a bare Thomas\n\
         solve of a pre-assembled tridiagonal system of the same size (one chain of divisions;\n\
         the step runs two chains side by side, their divisions, but for the rows above V_R,\n\
         deferred to one vectorized pass, so it is faster),\n\
         and against the same scheme in NumPy/SciPy (`benches/peers/fp_scipy.py`, `solve_banded`).\n"
    );
    let scipy = peers.scipy.as_ref();
    let _ = writeln!(
        s,
        "| n | SG (µs) | CC (µs) | bare Thomas (µs) | SG / Thomas | CC / Thomas | SciPy (µs) | SciPy / SG |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|");
    for n in ["100", "300", "1000", "3000", "10000"] {
        let sg = m.get(&format!("macro_step/ScharfetterGummel/{n}"));
        let cc = m.get(&format!("macro_step/ChangCooper/{n}"));
        let th = m.get(&format!("macro_step/bare-thomas/{n}"));
        if let (Some(sg), Some(cc), Some(th)) = (sg, cc, th) {
            let peer = scipy
                .and_then(|v| v["step_seconds"][n].as_f64())
                .map(|t| {
                    (
                        format!("{:.1}", t * 1e6),
                        format!("{:.1}×", t * 1e9 / sg.median_ns),
                    )
                })
                .unwrap_or_else(|| ("—".into(), "—".into()));
            let _ = writeln!(
                s,
                "| {n} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} |",
                sg.median_ns / 1e3,
                cc.median_ns / 1e3,
                th.median_ns / 1e3,
                sg.median_ns / th.median_ns,
                cc.median_ns / th.median_ns,
                peer.0,
                peer.1
            );
        }
    }
    if let Some(rate) = scipy.and_then(|v| v["rate_b05_h002"].as_f64()) {
        let _ = writeln!(
            s,
            "\nSame result: the SciPy peer's long-time rate for `b = 0.5`, `h = 0.02` is {rate:.8};\n\
             `fp-macro` gives 0.13489142 on the same grid (`cargo run --release -p fp-macro --example steady_state -- 0.5`)."
        );
    }
    let _ = writeln!(s);
}
