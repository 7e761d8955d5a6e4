//! The `cmklint` binary: parse arguments, run, map the outcome to an exit code.
//!
//! Exit codes (a contract, DESIGN §5): 0 no finding at or above the fail level; 1 findings
//! at or above it; 2 bad usage, bad config, or a file that could not be read.
//! Diagnostics go to stdout; the summary, `--verbose` notes and usage errors to stderr.

mod alloc;
mod cli;

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::Parser;

use cli::{CheckArgs, Cli, ColorChoice, Command};
use cmklint::diagnostic::{Diagnostic, Severity};
use cmklint::engine::{self, Options, Report};
use cmklint::render::{self, Format, RenderOptions};

/// mimalloc instead of the system allocator: parsing builds many small short-lived nodes,
/// keys and strings, and glibc's malloc/free took about a quarter of a whole-tree run
/// (see docs/performance.md). Default features off: no secure mode (guard pages and
/// encrypted free lists cost ~10% and guard nothing cmklint needs). `no_thp`: with
/// transparent huge pages its arenas doubled the peak memory (56 MiB instead of 30 at
/// 10,000 files) and the kernel time spent zeroing pages. How it is called: `src/alloc.rs`.
#[global_allocator]
static GLOBAL: alloc::MiMalloc = alloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    if matches!(cli.command, Command::Rules | Command::Explain { .. }) {
        // The user's rule packs (named by the nearest cmklint.toml) are rules too.
        for d in engine::load_config_here(None) {
            eprintln!(
                "warning: {}: {} (its rule packs are not listed)",
                d.path_str(),
                d.message
            );
        }
    }
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Rules => match write_stdout(&cmklint::docs::listing()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        Command::Explain { rule } => explain(&rule),
    }
}

fn explain(id: &str) -> ExitCode {
    match cmklint::docs::find(id) {
        Some(meta) => match write_stdout(&cmklint::docs::page(meta)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        None => {
            let hint = cmklint::docs::did_you_mean(id)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            eprintln!("error: no rule `{id}`{hint}; `cmklint rules` lists them");
            ExitCode::from(2)
        }
    }
}

/// `cmklint check`: options → engine → output → exit code.
fn check(args: &CheckArgs) -> ExitCode {
    let report = match options(args) {
        // --fix / --diff (src/fix.rs): fix first; what remains is reported below.
        Ok(opts) if args.fix || args.diff => {
            let run = cmklint::fix::run(&opts, !args.diff);
            if args.diff || run.stdin_text.is_some() {
                return fix_output(args, run);
            }
            eprintln!("{}", run.summary(true));
            run.report
        }
        Ok(opts) => {
            let mut report = engine::run(&opts);
            cmklint::fix::mark_fixable(&mut report.diagnostics);
            report
        }
        Err(report) => report,
    };
    let stdout_tty = std::io::stdout().is_terminal();
    let format = args.format.unwrap_or(if stdout_tty {
        Format::Full
    } else {
        Format::Concise
    });
    let color = use_color(args.color, std::env::var_os("NO_COLOR"), stdout_tty);
    let text = render::render(format, &report.diagnostics, RenderOptions { color });
    let code = exit_code(&report, args);
    if let Err(c) = write_stdout(&text) {
        // A closed pipe (`| head`) ends the run quietly; other write errors are failures.
        return if c == ExitCode::SUCCESS { code } else { c };
    }
    if args.verbose {
        for n in &report.notes {
            eprintln!("note: {n}");
        }
    }
    eprintln!("{}", summary(&report));
    // The process ends here: freeing every diagnostic, path and source text one by one
    // is work the exit does at once (4% of the main thread's instructions at 10,000
    // files, after the parallel part).
    std::mem::forget(report);
    std::mem::forget(text);
    code
}

/// `--diff` (or `--fix` on standard input): the diff (or the fixed text) is the output.
/// Exit 1 if there is something to fix, else as usual.
fn fix_output(args: &CheckArgs, run: cmklint::fix::FixRun) -> ExitCode {
    let write = !args.diff;
    let out = match &run.stdin_text {
        Some(text) if write => text.as_str(),
        _ => run.diff.as_str(),
    };
    let code = if !write && run.fixes > 0 && !run.report.failed {
        ExitCode::from(1)
    } else {
        exit_code(&run.report, args)
    };
    if let Err(c) = write_stdout(out) {
        return if c == ExitCode::SUCCESS { code } else { c };
    }
    if args.verbose {
        for n in &run.report.notes {
            eprintln!("note: {n}");
        }
    }
    eprintln!("{}", run.summary(write));
    eprintln!("{}", summary(&run.report));
    code
}

/// The engine's options; reading standard input may already fail the run.
fn options(args: &CheckArgs) -> Result<Options, Report> {
    let stdin = match &args.stdin_filename {
        None => None,
        Some(path) => {
            let mut bytes = Vec::new();
            let decoded = std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| (format!("cannot read standard input: {e}"), None))
                .and_then(|_| engine::decode(bytes).map_err(|e| (e.message, Some(e.help))));
            match decoded {
                Ok(text) => Some((path.clone(), text)),
                Err((message, help)) => {
                    let mut d = Diagnostic::new(
                        engine::IO_ERROR,
                        Severity::Error,
                        cmklint::source::Span::point(0),
                        format!("standard input: {message}"),
                    )
                    .with_file(std::sync::Arc::new(
                        cmklint::source::SourceFile::new(path.clone(), String::new()),
                    ));
                    d.help = help.map(str::to_string);
                    return Err(Report {
                        diagnostics: vec![d],
                        failed: true,
                        ..Report::default()
                    });
                }
            }
        }
    };
    Ok(Options {
        paths: args.paths.clone(),
        config: args.config.clone(),
        follow_links: args.follow_links,
        stdin,
    })
}

/// `--color` beats NO_COLOR (any non-empty value, no-color.org), which beats tty detection.
fn use_color(choice: ColorChoice, no_color: Option<std::ffi::OsString>, tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => no_color.is_none_or(|v| v.is_empty()) && tty,
    }
}

/// Whether a diagnostic is about the run (unreadable file, bad config) rather than content.
fn is_run_problem(d: &Diagnostic) -> bool {
    d.rule == engine::IO_ERROR || d.rule == engine::CONFIG_ERROR
}

fn exit_code(report: &Report, args: &CheckArgs) -> ExitCode {
    let fail_level = args.fail_on.severity();
    let failing = report
        .diagnostics
        .iter()
        .any(|d| !is_run_problem(d) && d.severity >= fail_level);
    if report.failed {
        ExitCode::from(2)
    } else if failing && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `cmklint: 3 files linted, 2 findings (1 error, 1 warning)`, plus the run's problems.
fn summary(report: &Report) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let count = |s: Severity| {
        report
            .diagnostics
            .iter()
            .filter(|d| !is_run_problem(d) && d.severity == s)
            .count()
    };
    let (errors, warnings, infos) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let mut s = format!(
        "cmklint: {} linted, ",
        plural(report.files_linted, "file", "files")
    );
    if errors + warnings + infos == 0 {
        s.push_str("no findings");
    } else {
        let mut parts = Vec::new();
        for (n, one, many) in [
            (errors, "error", "errors"),
            (warnings, "warning", "warnings"),
            (infos, "note", "notes"),
        ] {
            if n > 0 {
                parts.push(plural(n, one, many));
            }
        }
        s.push_str(&format!(
            "{} ({})",
            plural(errors + warnings + infos, "finding", "findings"),
            parts.join(", ")
        ));
    }
    let files = report
        .diagnostics
        .iter()
        .filter(|d| d.rule == engine::IO_ERROR)
        .count();
    let configs = report
        .diagnostics
        .iter()
        .filter(|d| d.rule == engine::CONFIG_ERROR)
        .count();
    if files > 0 {
        s.push_str(&format!(
            "; {} not linted ({})",
            plural(files, "file", "files"),
            engine::IO_ERROR
        ));
    }
    if configs > 0 {
        s.push_str(&format!(
            "; {} in configuration ({})",
            plural(configs, "problem", "problems"),
            engine::CONFIG_ERROR
        ));
    }
    s
}

/// Writes to stdout. `Err(SUCCESS)`: the reader went away (broken pipe), stop quietly;
/// `Err(2)`: another write error.
fn write_stdout(text: &str) -> Result<(), ExitCode> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("error: cannot write the output: {e}");
            Err(ExitCode::from(2))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_precedence() {
        let set = Some(std::ffi::OsString::from("1"));
        let empty = Some(std::ffi::OsString::new());
        assert!(use_color(ColorChoice::Always, set.clone(), false));
        assert!(!use_color(ColorChoice::Never, None, true));
        assert!(!use_color(ColorChoice::Auto, set, true));
        assert!(use_color(ColorChoice::Auto, empty, true));
        assert!(use_color(ColorChoice::Auto, None, true));
        assert!(!use_color(ColorChoice::Auto, None, false));
    }
}
