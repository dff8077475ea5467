//! Token commands: `token keygen` (a signing key), `token jwks` (the public key set) and `token exchange` (one
//! RFC 8693 exchange, printed as the RFC 8693 §2.2 response or §2.2.2 error).

use crate::args::ManifestArgs;
use crate::output::{Exit, print_json};
use aoa_core::Error;
use aoa_core::access::{ExchangePolicy, ExchangeRequest, parse_utc};
use aoa_token::{ACCESS_TOKEN_TYPE, Exchanger, SigningKey, Trust, jwks, load_issuer, load_key};
use serde_json::json;
use std::path::PathBuf;

/// The subcommands of `aoa token`.
#[derive(clap::Subcommand)]
pub(crate) enum TokenCommand {
    /// Generate a signing key (a private JWK file, mode 0600) and print its public JWK.
    Keygen(KeygenArgs),
    /// Print the public JWK set of signing keys (what `GET /.well-known/jwks.json` serves).
    Jwks(JwksArgs),
    /// Exchange a parent's subject token for a child app's access token (RFC 8693).
    Exchange(Box<ExchangeArgs>),
}

/// Arguments of `aoa token keygen`.
#[derive(clap::Args)]
pub(crate) struct KeygenArgs {
    /// `EdDSA` (Ed25519, the default) or `ES256` (P-256).
    #[arg(long, default_value = "EdDSA")]
    pub(crate) alg: String,
    /// The key id [default: `aoa-` and the start of the public key].
    #[arg(long)]
    pub(crate) kid: Option<String>,
    /// Where to write the private key.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

/// Arguments of `aoa token jwks`.
#[derive(clap::Args)]
pub(crate) struct JwksArgs {
    /// A private key file; repeat for more (during a rotation, old and new).
    #[arg(long = "key", value_name = "FILE", required = true)]
    pub(crate) keys: Vec<PathBuf>,
}

/// Arguments of `aoa token exchange`.
#[derive(clap::Args)]
pub(crate) struct ExchangeArgs {
    #[command(flatten)]
    pub(crate) service: ServiceArgs,
    /// The parent's subject token, or `@FILE` to read it from a file.
    #[arg(long)]
    pub(crate) subject_token: String,
    /// The child app the token is for.
    #[arg(long)]
    pub(crate) audience: String,
    /// Space-separated scopes [default: the subject token's, as far as granted].
    #[arg(long)]
    pub(crate) scope: Option<String>,
    /// The parent app that exchanges (the audience must be below it).
    #[arg(long)]
    pub(crate) client: Option<String>,
    /// The current time, UTC [default: the system clock].
    #[arg(long)]
    pub(crate) now: Option<String>,
    /// The issued token's id [default: 16 random bytes]; with `--now` and an EdDSA key the output is
    /// reproducible (for documentation and tests).
    #[arg(long)]
    pub(crate) jti: Option<String>,
    #[command(flatten)]
    pub(crate) audit: super::audit_trail::AuditArgs,
}

fn invalid(message: impl ToString) -> Error {
    Error::InvalidArgument {
        message: message.to_string(),
    }
}

/// Seconds since the epoch, from the system clock.
pub(crate) fn clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `aoa token ...`.
pub(crate) fn token(command: &TokenCommand) -> Result<Exit, Error> {
    match command {
        TokenCommand::Keygen(args) => keygen(args),
        TokenCommand::Jwks(args) => {
            let keys = (args.keys.iter())
                .map(|k| load_key(k).map_err(invalid))
                .collect::<Result<Vec<_>, _>>()?;
            print_json(&jwks(&keys.iter().collect::<Vec<_>>()));
            Ok(Exit::Ok)
        }
        TokenCommand::Exchange(args) => exchange(args),
    }
}

fn keygen(args: &KeygenArgs) -> Result<Exit, Error> {
    let key = SigningKey::generate(&args.alg, args.kid.as_deref()).map_err(invalid)?;
    let text = serde_json::to_string_pretty(key.private_jwk()).map_err(invalid)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let write = |options: &std::fs::OpenOptions| -> std::io::Result<()> {
        use std::io::Write;
        let mut file = options.open(&args.out)?;
        file.write_all(text.as_bytes())?;
        file.write_all(b"\n")
    };
    write(&options).map_err(|e| Error::Io {
        path: args.out.display().to_string(),
        message: e.to_string(),
    })?;
    print_json(&key.public_jwk());
    Ok(Exit::Ok)
}

/// The token service's settings, shared by `token exchange` and `serve`.
#[derive(clap::Args)]
pub(crate) struct ServiceArgs {
    /// The signing key of issued tokens.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// This token service's name: the `iss` of issued tokens and the `aud` subject tokens must carry.
    #[arg(long)]
    pub(crate) issuer: String,
    /// A trusted issuer of subject tokens and its key set, `ISSUER=JWKS_FILE`; repeat for more.
    #[arg(long = "trust", value_name = "ISSUER=JWKS", required = true)]
    pub(crate) trust: Vec<String>,
    /// Lifetime of issued tokens, seconds (at most 300).
    #[arg(long, default_value_t = 300)]
    pub(crate) ttl: i64,
    /// The subject-token claim that lists the subject's groups.
    #[arg(long, default_value = "groups")]
    pub(crate) groups_claim: String,
    /// The deepest `act` delegation chain.
    #[arg(long, default_value_t = 4)]
    pub(crate) max_act_depth: usize,
    #[command(flatten)]
    pub(crate) manifest: ManifestArgs,
}

impl ServiceArgs {
    /// The exchanger these settings describe.
    pub(crate) fn exchanger(&self) -> Result<Exchanger, Error> {
        let issuers = (self.trust.iter())
            .map(|t| load_issuer(t).map_err(invalid))
            .collect::<Result<Vec<_>, _>>()?;
        let mut policy = ExchangePolicy::new(&self.issuer);
        policy.ttl = self.ttl;
        policy.groups_claim = self.groups_claim.clone();
        policy.max_act_depth = self.max_act_depth;
        Ok(Exchanger {
            manifest: self.manifest.load(None)?,
            key: load_key(&self.key).map_err(invalid)?,
            trust: Trust::new(&self.issuer, issuers),
            policy,
        })
    }
}

fn exchange(args: &ExchangeArgs) -> Result<Exit, Error> {
    let exchanger = args.service.exchanger()?;
    let now = match &args.now {
        Some(t) => parse_utc(t).map_err(invalid)?,
        None => clock(),
    };
    let request = ExchangeRequest {
        audience: &args.audience,
        scope: args.scope.as_deref(),
        client: args.client.as_deref(),
    };
    let jti = match &args.jti {
        Some(jti) => jti.clone(),
        None => aoa_token::new_jti().map_err(invalid)?,
    };
    let subject_token = match args.subject_token.strip_prefix('@') {
        Some(file) => std::fs::read_to_string(file)
            .map_err(|e| Error::Io {
                path: file.to_string(),
                message: e.to_string(),
            })?
            .trim()
            .to_string(),
        None => args.subject_token.clone(),
    };
    let (result, record) = exchanger.exchange(&subject_token, &request, now, &jti);
    eprintln!(
        "audit: {}",
        serde_json::to_string(&record).unwrap_or_default()
    );
    (args.audit).record(vec![super::audit_trail::exchange_event(&record)])?;
    match result {
        Ok(issued) => {
            print_json(&json!({
                "access_token": issued.access_token,
                "issued_token_type": ACCESS_TOKEN_TYPE,
                "token_type": "Bearer",
                "expires_in": issued.claims.exp - now,
                "scope": issued.claims.scope,
            }));
            Ok(Exit::Ok)
        }
        Err(refusal) => {
            print_json(&refusal);
            Ok(Exit::Findings)
        }
    }
}
