//! The `cmklint` binary: parse arguments, run, map the outcome to an exit code.
//!
//! Exit codes (a contract, DESIGN §5): 0 no finding at or above the fail level; 1 findings
//! at or above it; 2 bad usage, bad config, or a file that could not be read.

mod cli;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use cli::{CheckArgs, Cli, ColorChoice, Command};
use cmklint::engine::{self, Options};
use cmklint::render::{self, Format, RenderOptions};
use cmklint::rules;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Check(args) => check(args),
        Command::Rules => {
            let mut out = String::new();
            for r in rules::builtin() {
                let m = r.meta();
                out.push_str(&format!("{:<34} {:<8} {}\n", m.id, m.severity, m.summary));
            }
            write_stdout(&out)
        }
        Command::Explain { rule } => match rules::find(&rule) {
            Some(r) => {
                let m = r.meta();
                let text = format!(
                    "# {} ({}, {})\n\n{}\n\n{}",
                    m.id,
                    m.group.as_str(),
                    m.severity,
                    m.summary,
                    m.docs
                );
                write_stdout(&text)
            }
            None => {
                eprintln!("error: no rule `{rule}`; `cmklint rules` lists them");
                ExitCode::from(2)
            }
        },
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let opts = Options {
        paths: args.paths.clone(),
        config: args.config.clone(),
        follow_links: args.follow_links,
        stdin: None,
    };
    // --fix / --diff (src/fix.rs): fix first, then report what remains.
    let report = if args.fix || args.diff {
        let run = cmklint::fix::run(&opts, !args.diff);
        if args.diff || run.stdin_text.is_some() {
            return fix_output(&args, run);
        }
        eprintln!("{}", run.summary(true));
        run.report
    } else {
        let mut report = engine::run(&opts);
        cmklint::fix::mark_fixable(&mut report.diagnostics);
        report
    };
    let stdout_tty = std::io::stdout().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && stdout_tty
        }
    };
    let format = args.format.unwrap_or(if stdout_tty {
        Format::Full
    } else {
        Format::Concise
    });
    let text = render::render(format, &report.diagnostics, RenderOptions { color });
    let code = write_stdout(&text);
    if code != ExitCode::SUCCESS {
        return code;
    }
    if args.verbose {
        for n in &report.notes {
            eprintln!("{n}");
        }
    }
    let fail_level = args.fail_on.severity();
    let findings = report
        .diagnostics
        .iter()
        .filter(|d| d.rule != engine::IO_ERROR && d.rule != engine::CONFIG_ERROR)
        .count();
    let failing = report
        .diagnostics
        .iter()
        .filter(|d| d.rule != engine::IO_ERROR && d.rule != engine::CONFIG_ERROR)
        .any(|d| d.severity >= fail_level);
    eprintln!(
        "cmklint: {} file{} linted, {} finding{}",
        report.files_linted,
        if report.files_linted == 1 { "" } else { "s" },
        findings,
        if findings == 1 { "" } else { "s" }
    );
    if report.failed {
        ExitCode::from(2)
    } else if failing && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `--diff` (or `--fix` on standard input): the diff (or the fixed text) is the output.
/// Exit 1 if there is something to fix, else as usual.
fn fix_output(args: &CheckArgs, run: cmklint::fix::FixRun) -> ExitCode {
    let write = !args.diff;
    let out = match &run.stdin_text {
        Some(text) if write => text.as_str(),
        _ => run.diff.as_str(),
    };
    let code = write_stdout(out);
    if code != ExitCode::SUCCESS {
        return code;
    }
    if args.verbose {
        for n in &run.report.notes {
            eprintln!("{n}");
        }
    }
    eprintln!("{}", run.summary(write));
    let fail_level = args.fail_on.severity();
    let failing = run
        .report
        .diagnostics
        .iter()
        .filter(|d| d.rule != engine::IO_ERROR && d.rule != engine::CONFIG_ERROR)
        .any(|d| d.severity >= fail_level);
    if run.report.failed {
        ExitCode::from(2)
    } else if (!write && run.fixes > 0) || (failing && !args.exit_zero) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Writes to stdout; a closed pipe (`| head`) ends the run quietly.
fn write_stdout(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(2),
    }
}
