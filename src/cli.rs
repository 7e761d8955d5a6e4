//! Command-line definitions (clap) only: no logic, no I/O.
//!
//! Each flag's help is written once here; `--help` and the README are built from it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use cmklint::diagnostic::Severity;
use cmklint::render::Format;

#[derive(Debug, Parser)]
#[command(
    name = "cmklint",
    version,
    about = "Lint the cloud-side setup of Customer Managed Keys for Neo4j Aura (AWS KMS, Azure Key Vault, GCP Cloud KMS)",
    after_help = "Exit codes: 0 no finding at or above the fail level, 1 findings, 2 bad usage, bad configuration or a file that could not be read.",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files and folders (default: the current folder).
    Check(CheckArgs),
    /// List every rule: id, default severity, summary.
    Rules,
    /// Print the documentation of a rule.
    Explain {
        /// The rule id, e.g. `splice-missing-comma`.
        rule: String,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or folders to lint (default: the current folder). A named file is linted
    /// even if `[files] include` does not match it, unless `[files] exclude` does.
    pub paths: Vec<PathBuf>,

    /// Output format (default: `full` on a terminal, `concise` otherwise).
    #[arg(long, value_enum, help_heading = "Output")]
    pub format: Option<Format>,

    /// When to use colour in `full` output. `always`/`never` beat the NO_COLOR
    /// environment variable, which beats terminal detection.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, help_heading = "Output")]
    pub color: ColorChoice,

    /// Say which files were not linted and which rules were skipped, and why (on stderr).
    #[arg(short, long, help_heading = "Output")]
    pub verbose: bool,

    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "SEVERITY", help_heading = "Exit code")]
    pub fail_on: FailOn,

    /// Exit 0 even when there are findings (2 still means the run failed).
    #[arg(long, help_heading = "Exit code")]
    pub exit_zero: bool,

    /// Use this config file for every linted file instead of the nearest `cmklint.toml`.
    #[arg(long, value_name = "PATH", help_heading = "Configuration")]
    pub config: Option<PathBuf>,

    /// Lint standard input as if it were the file PATH (its nearest `cmklint.toml`
    /// applies and the files beside it are read as context), e.g. from an editor or
    /// `git show :policy.json | cmklint check --stdin-filename policy.json`.
    #[arg(long, value_name = "PATH", help_heading = "Files")]
    pub stdin_filename: Option<PathBuf>,

    /// Follow symbolic links when walking folders.
    #[arg(long, help_heading = "Files")]
    pub follow_links: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    pub fn severity(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}
