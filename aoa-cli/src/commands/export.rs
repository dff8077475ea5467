//! `aoa export azure-role-assignments`: the least-privilege Key Vault role assignments of every app, in the shape
//! Azure's role-assignment API accepts (always JSON, indented).

use crate::args::ManifestArgs;
use crate::output::Exit;
use aoa_core::Error;

/// The export formats.
#[derive(clap::Subcommand)]
pub(crate) enum ExportCommand {
    /// Key Vault Secrets User assignments giving each app's managed identity exactly its secrets.
    AzureRoleAssignments(AzureArgs),
}

/// Arguments of `aoa export azure-role-assignments`.
#[derive(clap::Args)]
pub(crate) struct AzureArgs {
    /// Where the vaults are: `/subscriptions/S/resourceGroups/RG`.
    #[arg(long, value_name = "SCOPE")]
    pub(crate) scope_prefix: String,
    #[command(flatten)]
    pub(crate) manifest: ManifestArgs,
    #[command(flatten)]
    pub(crate) audit: super::audit_trail::AuditArgs,
}

/// `aoa export ...`.
pub(crate) fn export(command: &ExportCommand) -> Result<Exit, Error> {
    match command {
        ExportCommand::AzureRoleAssignments(args) => {
            let m = args.manifest.load(None)?;
            let assignments = m.access().azure_role_assignments(&args.scope_prefix)?;
            (args.audit).record(super::audit_trail::export_events(
                &args.scope_prefix,
                &assignments,
            ))?;
            for app in &assignments.missing_principals {
                eprintln!(
                    "warning: app `{app}` has no `azure-principal-id` label; its assignments name `app:{app}`"
                );
            }
            match serde_json::to_string_pretty(&assignments) {
                Ok(text) => println!("{text}"),
                Err(e) => eprintln!("error: {e}"),
            }
            Ok(Exit::Ok)
        }
    }
}
