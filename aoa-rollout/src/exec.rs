//! Callbacks that run commands: `aoa rollout --exec 'deploy.sh {app} {version}'`.
//!
//! A command is split into words like a shell would (quotes and backslashes), then each word's
//! placeholders are filled in: `{app}`, `{version}` (empty when the manifest declares none; the target
//! version on rollback), `{attempt}`, `{run_id}` and `{key}` (the idempotency key). It runs without a shell
//! unless [`Exec::shell`] is set, with `AOA_APP`, `AOA_VERSION`, `AOA_ATTEMPT`, `AOA_RUN_ID` and
//! `AOA_IDEMPOTENCY_KEY` in its environment; exit status 0 means success. Its stdout and stderr go to
//! `LOG_DIR/RUN_ID/APP.ATTEMPT.log` (`/` in an app name becomes `%2F`). An attempt past its deadline is
//! killed.

use crate::callbacks::{Callbacks, DeployRequest, Health, Observation};
use aoa_core::{Error, Result};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Commands as callbacks.
#[derive(Debug, Clone)]
pub struct Exec {
    deploy: Template,
    observe: Option<Template>,
    rollback: Option<Template>,
    /// Run each command with `sh -c` (placeholders are filled in shell-quoted).
    pub shell: bool,
    log_dir: PathBuf,
}

/// A command as given (for `sh -c`) and split into words (to run without a shell).
#[derive(Debug, Clone)]
struct Template {
    text: String,
    words: Vec<String>,
}

/// The values a command's placeholders take.
struct Fill<'a> {
    app: &'a str,
    version: &'a str,
    attempt: u32,
    run_id: &'a str,
    key: &'a str,
}

impl Exec {
    /// Callbacks that run `deploy` (and `observe`, `rollback` when given), logging under `log_dir`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a command that is empty or has an unclosed quote.
    pub fn new(
        deploy: &str,
        observe: Option<&str>,
        rollback: Option<&str>,
        log_dir: &Path,
    ) -> Result<Exec> {
        Ok(Exec {
            deploy: words("--exec", deploy)?,
            observe: observe.map(|c| words("--observe", c)).transpose()?,
            rollback: rollback.map(|c| words("--rollback-exec", c)).transpose()?,
            shell: false,
            log_dir: log_dir.to_path_buf(),
        })
    }

    /// The command of `template` with its placeholders filled in.
    fn command(&self, template: &Template, fill: &Fill<'_>) -> Command {
        let expand = |word: &str, quote: bool| {
            let value = |v: &str| {
                if quote {
                    shlex::try_quote(v).map_or_else(|_| String::new(), |q| q.into_owned())
                } else {
                    v.to_owned()
                }
            };
            word.replace("{app}", &value(fill.app))
                .replace("{version}", &value(fill.version))
                .replace("{attempt}", &fill.attempt.to_string())
                .replace("{run_id}", &value(fill.run_id))
                .replace("{key}", &value(fill.key))
        };
        let mut command = if self.shell {
            let mut c = Command::new("sh");
            c.arg("-c").arg(expand(&template.text, true));
            c
        } else {
            let mut c = Command::new(&template.words[0]);
            c.args(template.words[1..].iter().map(|w| expand(w, false)));
            c
        };
        command
            .env("AOA_APP", fill.app)
            .env("AOA_VERSION", fill.version)
            .env("AOA_ATTEMPT", fill.attempt.to_string())
            .env("AOA_RUN_ID", fill.run_id)
            .env("AOA_IDEMPOTENCY_KEY", fill.key)
            .stdin(Stdio::null());
        command
    }

    /// Runs a command to its end (or kills it at `deadline`), its output appended to `log`.
    fn run(
        &self,
        mut command: Command,
        log: &Path,
        deadline: Option<Instant>,
    ) -> std::result::Result<(), String> {
        let program = format!("{:?}", command.get_program());
        let file = open_log(log)?;
        let err = file
            .try_clone()
            .map_err(|e| format!("cannot log to {}: {e}", log.display()))?;
        let mut child = command
            .stdout(Stdio::from(file))
            .stderr(Stdio::from(err))
            .spawn()
            .map_err(|e| format!("cannot run {program}: {e}"))?;
        let status = wait(&mut child, deadline)
            .map_err(|e| format!("{program}: {e} (log: {})", log.display()))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program} exited with {status} (log: {})",
                log.display()
            ))
        }
    }

    fn log_path(&self, run_id: &str, app: &str, what: &str) -> PathBuf {
        self.log_dir.join(run_id).join(format!(
            "{}.{what}.log",
            app.replace('%', "%25").replace('/', "%2F")
        ))
    }
}

impl Callbacks for Exec {
    fn deploy(&self, r: &DeployRequest<'_>) -> std::result::Result<(), String> {
        let fill = Fill {
            app: r.app,
            version: r.version.unwrap_or(""),
            attempt: r.attempt,
            run_id: r.run_id,
            key: r.idempotency_key,
        };
        let log = self.log_path(r.run_id, r.app, &r.attempt.to_string());
        self.run(self.command(&self.deploy, &fill), &log, r.deadline)
    }

    fn observe(&self, app: &str) -> std::result::Result<Observation, String> {
        let Some(template) = &self.observe else {
            return Ok(Observation {
                health: Health::Healthy,
                version: None,
            });
        };
        let fill = Fill {
            app,
            version: "",
            attempt: 0,
            run_id: "",
            key: "",
        };
        let output = self
            .command(template, &fill)
            .stderr(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run the observe command: {e}"))?;
        if !output.status.success() {
            return Err(format!("the observe command exited with {}", output.status));
        }
        parse_observation(&String::from_utf8_lossy(&output.stdout))
    }

    fn observes(&self) -> bool {
        self.observe.is_some()
    }

    fn rollback(&self, app: &str, to_version: Option<&str>) -> std::result::Result<(), String> {
        let Some(template) = &self.rollback else {
            return Err("no --rollback-exec command was given".to_owned());
        };
        let fill = Fill {
            app,
            version: to_version.unwrap_or(""),
            attempt: 1,
            run_id: "rollback",
            key: "",
        };
        self.run(
            self.command(template, &fill),
            &self.log_path("rollback", app, "rollback"),
            None,
        )
    }
}

/// `healthy`, `progressing`, `degraded`, `missing` or `unknown`, optionally followed by the version.
fn parse_observation(out: &str) -> std::result::Result<Observation, String> {
    let mut words = out.split_whitespace();
    let health = match words.next().map(str::to_ascii_lowercase).as_deref() {
        Some("healthy") => Health::Healthy,
        Some("progressing") => Health::Progressing,
        Some("degraded") => Health::Degraded,
        Some("missing") => Health::Missing,
        Some("unknown") => Health::Unknown,
        other => {
            return Err(format!(
                "the observe command printed {:?}; expected healthy, progressing, degraded, missing or unknown, then optionally the version",
                other.unwrap_or("nothing")
            ));
        }
    };
    Ok(Observation {
        health,
        version: words.next().map(str::to_owned),
    })
}

fn words(option: &str, command: &str) -> Result<Template> {
    match shlex::split(command) {
        Some(words) if !words.is_empty() => Ok(Template {
            text: command.to_owned(),
            words,
        }),
        Some(_) => Err(Error::InvalidArgument {
            message: format!("{option} needs a command"),
        }),
        None => Err(Error::InvalidArgument {
            message: format!("{option} `{command}` has an unclosed quote or a trailing backslash"),
        }),
    }
}

fn open_log(path: &Path) -> std::result::Result<File, String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the log directory {}: {e}", dir.display()))?;
    }
    File::options()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open the log {}: {e}", path.display()))
}

/// Waits for `child`, killing it at `deadline`.
fn wait(child: &mut Child, deadline: Option<Instant>) -> std::io::Result<std::process::ExitStatus> {
    let Some(deadline) = deadline else {
        return child.wait();
    };
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if Instant::now() >= deadline {
            child.kill()?;
            child.wait()?;
            return Err(std::io::Error::other("killed at the attempt's timeout"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
