//! `expc bench`: every workload measured in a child process of its own (so peak memory is the
//! workload's), the same workload measured by the PyTorch reference in the same invocation, and
//! one table of both with their ratio.

use clap::ValueEnum as _;
use expc::backend::{BackendChoice, select_backend};
use expc::bench::Measurement;
use expc::bench::suite::{self, Workload};
use expc::bench::table::{Row, render};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

/// Arguments of `expc bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only the workloads whose name contains one of these (comma-separated), e.g. `plan,train_t5`.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Tiny shapes and a tiny study: checks that every workload runs, measures nothing useful.
    #[arg(long)]
    quick: bool,
    /// Do not run the PyTorch reference.
    #[arg(long)]
    no_torch: bool,
    /// The Python interpreter with torch and transformers.
    #[arg(long, default_value = "python3")]
    python: PathBuf,
    /// The reference script.
    #[arg(long, default_value = "bench/torch_reference.py")]
    reference: PathBuf,
    /// The study whose `dce_paper` template and `dce` dataset the extraction workload uses.
    #[arg(long, default_value = "experiments/quickstart.exp")]
    extraction_study: PathBuf,
    /// Working folder (configurations, the t5-base checkpoint, synthetic studies).
    #[arg(long, default_value = "target/expc-bench")]
    work: PathBuf,
    /// Timed repetitions per workload (after one warm-up).
    #[arg(long, default_value_t = 3)]
    repeats: usize,
    /// CPU threads for both sides (`RAYON_NUM_THREADS`, `torch.set_num_threads`).
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Where expc's network workloads run (the reference runs on the CPU).
    #[arg(long, value_enum, default_value_t = BackendChoice::Cpu)]
    backend: BackendChoice,
    /// Also write the table, with the machine and date, to this Markdown file.
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
    /// Measure one workload in this process and print it as JSON lines (used by `expc bench`
    /// itself for each child process).
    #[arg(long, hide = true)]
    one: Option<String>,
}

/// Runs the suite (or, with `--one`, one workload) and prints the table.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let workloads = suite::workloads(args.quick, &args.extraction_study);
    if let Some(name) = &args.one {
        let workload = workloads
            .iter()
            .find(|w| &w.name() == name)
            .ok_or_else(|| anyhow::anyhow!("no workload `{name}`"))?;
        let backend = select_backend(args.backend).map_err(anyhow::Error::msg)?;
        for mut measurement in suite::measure(workload, &args.work, args.repeats, &backend.device)?
        {
            if backend.name != "cpu" && workload.shape().is_some() {
                measurement.detail += &format!("; {}: {}", backend.name, backend.reason);
            }
            println!("{}", serde_json::to_string(&measurement)?);
        }
        return Ok(ExitCode::SUCCESS);
    }
    std::fs::create_dir_all(&args.work)?;
    let selected: Vec<&Workload> = workloads
        .iter()
        .filter(|w| args.only.is_empty() || args.only.iter().any(|o| w.name().contains(o)))
        .collect();
    let mut rows = Vec::new();
    let mut failed = false;
    for workload in selected {
        let name = workload.name();
        eprintln!("bench: {name}");
        let spec = suite::prepare(workload, &args.work, args.repeats, args.threads)?;
        let expc = match measure_in_child(args, &name) {
            Ok(measured) => measured,
            Err(error) => {
                eprintln!("bench: {name}: expc failed: {error:#}");
                failed = true;
                continue;
            }
        };
        let torch = match (&spec, args.no_torch) {
            (Some(spec), false) => {
                let file = args.work.join(format!("{name}.spec.json"));
                std::fs::write(&file, serde_json::to_string_pretty(spec)?)?;
                match reference(args, &file) {
                    Ok(measured) => measured,
                    Err(error) => {
                        eprintln!("bench: {name}: reference failed: {error:#}");
                        Vec::new()
                    }
                }
            }
            _ => Vec::new(),
        };
        for measurement in expc {
            let torch = torch
                .iter()
                .find(|t| t.workload == measurement.workload)
                .cloned();
            let row = Row {
                expc: measurement,
                torch,
            };
            eprint!(
                "{}",
                render(std::slice::from_ref(&row))
                    .lines()
                    .nth(2)
                    .unwrap_or("")
            );
            eprintln!();
            rows.push(row);
        }
    }
    let table = render(&rows);
    println!("{table}");
    if let Some(path) = &args.markdown {
        std::fs::write(path, format!("{}\n{table}", machine(args)))?;
        println!("written to {}", path.display());
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn parse_lines(text: &str) -> anyhow::Result<Vec<Measurement>> {
    text.lines()
        .filter(|line| line.trim_start().starts_with('{'))
        .map(|line| Ok(serde_json::from_str(line)?))
        .collect()
}

fn measure_in_child(args: &Args, name: &str) -> anyhow::Result<Vec<Measurement>> {
    let mut command = Command::new(std::env::current_exe()?);
    command
        .arg("bench")
        .arg("--one")
        .arg(name)
        .arg("--work")
        .arg(&args.work)
        .arg("--repeats")
        .arg(args.repeats.to_string())
        .arg("--extraction-study")
        .arg(&args.extraction_study)
        .arg("--backend")
        .arg(backend_name(args.backend))
        .env("RAYON_NUM_THREADS", args.threads.to_string())
        .env("BURN_DEVICE", "flex")
        .stderr(Stdio::inherit());
    if args.quick {
        command.arg("--quick");
    }
    let output = command.output()?;
    anyhow::ensure!(output.status.success(), "exit status {}", output.status);
    parse_lines(&String::from_utf8_lossy(&output.stdout))
}

fn reference(args: &Args, spec: &Path) -> anyhow::Result<Vec<Measurement>> {
    let output = Command::new(&args.python)
        .arg(&args.reference)
        .arg(spec)
        .stderr(Stdio::inherit())
        .output()?;
    anyhow::ensure!(output.status.success(), "exit status {}", output.status);
    parse_lines(&String::from_utf8_lossy(&output.stdout))
}

/// `choice` as `--backend` spells it.
fn backend_name(choice: BackendChoice) -> String {
    choice.to_possible_value().map_or_else(
        || format!("{choice:?}"),
        |value| value.get_name().to_owned(),
    )
}

/// The machine and date, for the Markdown file.
fn machine(args: &Args) -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or("unknown CPU", str::trim)
        .to_string();
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kib| kib.parse::<f64>().ok())
        .map_or_else(
            || "?".into(),
            |kib| format!("{:.0} GiB", kib / 1024.0 / 1024.0),
        );
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    format!(
        "Measured {} on {cpu}, {cores} cores, {memory} memory; {} threads per side; \
         {} repetitions (median) after one warm-up; expc's networks on --backend {}.\n",
        civil_date(days),
        args.threads,
        args.repeats,
        backend_name(args.backend)
    )
}

/// `YYYY-MM-DD` of a day count since 1970-01-01 (Howard Hinnant's civil-from-days).
fn civil_date(days: u64) -> String {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
