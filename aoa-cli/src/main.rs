//! `aoa`: validate, plan and explain an app-of-apps manifest from the terminal.
//!
//! Exit codes: 0 ok; 1 findings (the manifest was read and has problems: invalid apps, cycles, denials);
//! 2 the command could not run (usage, unreadable file, syntax error, unknown app in an argument).

#![warn(
    unreachable_pub,
    clippy::allow_attributes_without_reason,
    clippy::cast_possible_truncation
)]

mod args;
mod commands;
mod output;

use clap::{Parser, Subcommand};
use output::{Exit, OutputFormat};
use std::process::ExitCode;

/// Govern a hierarchy of apps from one manifest: rollout order, cycles, impacted sets.
///
/// Every command reads the manifest given with `-m/--manifest PATH` (a file, or a directory of them;
/// default: the current directory), except `diff OLD NEW` (two manifests) and `schema fingerprint`.
#[derive(Parser)]
#[command(name = "aoa", version, about, long_about)]
struct Cli {
    /// Output for people (`text`) or for scripts (`json`, a stable shape documented in the README).
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    output: OutputFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a manifest: structure, names, parents, dependencies and cycles.
    Validate(commands::graph::ValidateArgs),
    /// Print the rollout plan: waves of apps that may deploy in parallel.
    Plan(commands::graph::PlanArgs),
    /// Print the teardown plan: the exact reverse of the rollout plan.
    Teardown(commands::graph::PlanArgs),
    /// Print the rollout graph as Graphviz dot or Mermaid.
    Graph(commands::graph::GraphArgs),
    /// Decide whether a subject may do an action on an app (exit 0 allowed, 1 denied).
    Check(commands::access::CheckArgs),
    /// List every subject that may do an action on an app.
    WhoCan(commands::access::WhoCanArgs),
    /// List every app where a subject may do something, with the actions.
    WhatCan(commands::access::WhatCanArgs),
    /// Show every subject's effective permissions on an app, each with its source.
    Effective(commands::access::EffectiveArgs),
    /// The former name of `effective` (deprecated).
    #[command(hide = true)]
    Access(commands::access::EffectiveArgs),
    /// Show who gains and who loses which permissions between two manifests.
    Diff(commands::access::DiffArgs),
    /// Print the resolved parameters of an app (JSON, Avro JSON or Avro binary), or explain them.
    Params(commands::schema::ParamsArgs),
    /// Schema registry tools: compatibility checks and fingerprints.
    #[command(subcommand)]
    Schema(commands::schema::SchemaCommand),
    /// Secrets: what an app uses and may read, who may read a secret, what is due for rotation.
    Secrets(commands::secrets::SecretsArgs),
    /// Export the manifest's grants for another system (always JSON).
    #[command(subcommand)]
    Export(commands::export::ExportCommand),
    /// Argo CD interop: import a repository, its sync order, RBAC verdicts, projects, waves from the plan.
    #[command(subcommand)]
    Argocd(commands::argocd::ArgocdCommand),
    /// The component registry in the state store (`--store URL`, `AOA_STORE`, default `sqlite:` `.aoa/state.db`
    /// next to the manifest): apply a manifest, show an app, its history, drift.
    #[command(subcommand)]
    Registry(commands::store::RegistryCommand),
    /// Run the rollout: each app's deploy command as soon as its parent and dependencies succeeded, within
    /// limits, journaled in the state store (default sqlite:.aoa/state.db next to the manifest) so that
    /// `--resume RUN_ID` never deploys twice what succeeded. Exit 0: all succeeded; 1: some app failed or was
    /// skipped; 2: could not run (nothing ran), a permission denied included.
    Rollout(Box<commands::rollout::RolloutArgs>),
    /// Return every app a run deployed to its version before the run, in the exact reverse order.
    Rollback(Box<commands::rollout::RollbackArgs>),
    /// The hash-chained audit trail of the state store: verify, show, export.
    #[command(subcommand)]
    Audit(commands::store::AuditCommand),
    /// Delegated tokens: signing keys, their JWK set, and RFC 8693 token exchange.
    #[command(subcommand)]
    Token(commands::token::TokenCommand),
    /// Serve the token exchange, the JWK set and permission checks over HTTP until SIGINT/SIGTERM.
    Serve(Box<commands::serve::ServeArgs>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = cli.output;
    let result = match cli.command {
        Command::Validate(args) => commands::graph::validate(&args, format),
        Command::Plan(args) => commands::graph::plan(&args, format, false),
        Command::Teardown(args) => commands::graph::plan(&args, format, true),
        Command::Graph(args) => commands::graph::graph(&args),
        Command::Check(args) => commands::access::check(&args, format),
        Command::WhoCan(args) => commands::access::who_can(&args, format),
        Command::WhatCan(args) => commands::access::what_can(&args, format),
        Command::Effective(args) => commands::access::effective(&args, format),
        Command::Access(args) => {
            args::deprecated("`aoa access`", "`aoa effective`");
            commands::access::effective(&args, format)
        }
        Command::Diff(args) => commands::access::diff(&args, format),
        Command::Params(args) => commands::schema::params(&args, format),
        Command::Schema(commands::schema::SchemaCommand::Check(args)) => {
            commands::schema::check(&args, format)
        }
        Command::Schema(commands::schema::SchemaCommand::Fingerprint(args)) => {
            commands::schema::fingerprint(&args, format)
        }
        Command::Secrets(args) => commands::secrets::secrets(&args, format),
        Command::Export(command) => commands::export::export(&command),
        Command::Argocd(command) => commands::argocd::argocd(&command, format),
        Command::Registry(command) => commands::store::registry(&command, format),
        Command::Rollout(args) => commands::rollout::rollout(&args, format),
        Command::Rollback(args) => commands::rollout::rollback(&args, format),
        Command::Audit(command) => commands::store::audit(&command, format),
        Command::Token(command) => commands::token::token(&command),
        Command::Serve(args) => commands::serve::serve(&args),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(error) => output::report_error(&error, format).into(),
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}
