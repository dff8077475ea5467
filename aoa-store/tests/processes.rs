//! Real processes against one store: a kill -9 in the middle of a large apply (all or nothing, the chain
//! verifies), two applies at once (one waits or fails naming the holder, never interleaved), a holder whose
//! lease expired (fenced by its token), a full disk (RLIMIT_FSIZE) and a read-only file in a child.
//!
//! The children are this test binary itself, running the ignored test `child` with `AOA_CHILD_*` variables.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions"
)]

mod common;

use aoa_core::ErrorCode;
use aoa_store::{ApplyOptions, AuditFilter, Options};
use common::{backends, many, open, registry};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn spawn_child(role: &str, url: &str, reg: &str, env: &[(&str, String)]) -> Command {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args([
        "--exact",
        "child",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
        "-q",
    ])
    .env("AOA_CHILD_ROLE", role)
    .env("AOA_CHILD_URL", url)
    .env("AOA_CHILD_REG", reg)
    .stdout(Stdio::piped())
    .stderr(Stdio::inherit());
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// Reads the child's stdout until a line starting with `prefix`; that line.
fn wait_for(child: &mut Child, prefix: &str) -> String {
    let out = child.stdout.as_mut().unwrap();
    let mut reader = BufReader::new(out);
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "the child ended before `{prefix}`"
        );
        if line.starts_with(prefix) {
            return line.trim().to_string();
        }
    }
}

fn env_var(name: &str) -> String {
    std::env::var(name).unwrap_or_default()
}

fn env_num(name: &str) -> u64 {
    env_var(name).parse().unwrap_or(0)
}

/// The child side: one role per `AOA_CHILD_ROLE`.
#[test]
#[ignore = "run by the other tests as a child process"]
fn child() {
    let (url, reg) = (env_var("AOA_CHILD_URL"), env_var("AOA_CHILD_REG"));
    let actor = env_var("AOA_CHILD_ACTOR");
    let options = Options {
        registry: reg.clone(),
        actor: if actor.is_empty() {
            "child".into()
        } else {
            actor
        },
        lease_wait: Duration::from_secs(env_num("AOA_CHILD_WAIT")),
        ..Options::default()
    };
    let n = usize::try_from(env_num("AOA_CHILD_APPS")).unwrap();
    let version = env_var("AOA_CHILD_VERSION");
    let allow = ApplyOptions {
        allow_gain: true,
        ..ApplyOptions::default()
    };
    match env_var("AOA_CHILD_ROLE").as_str() {
        "apply" => {
            let manifest = many(n, &version);
            let result = aoa_store::open(&url, options).and_then(|mut s| {
                println!("start");
                s.apply(&manifest, allow)
            });
            match result {
                Ok(r) => println!("done {}", r.added + r.changed),
                Err(e) => println!("error {} {e}", e.code()),
            }
        }
        "hold" => {
            let mut s = aoa_store::open(&url, options).unwrap();
            let lease = s
                .acquire(
                    "registry",
                    Duration::from_millis(env_num("AOA_CHILD_TTL_MS")),
                )
                .unwrap();
            println!("held {}", lease.token);
            std::thread::sleep(Duration::from_millis(env_num("AOA_CHILD_SLEEP_MS")));
            match s.apply_with_lease(&many(n, &version), allow, &lease) {
                Ok(_) => println!("wrote"),
                Err(e) => println!("fenced {} {e}", e.code()),
            }
        }
        other => panic!("unknown role {other}"),
    }
}

#[test]
fn kill_9_in_the_middle_of_a_large_apply_leaves_all_or_nothing() {
    const N: usize = 30_000;
    for b in backends() {
        for delay_ms in [50, 400, 1200] {
            let reg = registry("crash");
            let mut c = spawn_child(
                "apply",
                &b.url,
                &reg,
                &[
                    ("AOA_CHILD_APPS", N.to_string()),
                    ("AOA_CHILD_VERSION", "v1".into()),
                ],
            )
            .spawn()
            .unwrap();
            wait_for(&mut c, "start");
            std::thread::sleep(Duration::from_millis(delay_ms));
            c.kill().unwrap();
            c.wait().unwrap();
            let mut s = open(&b.url, &reg);
            let apps = s.list().unwrap().len();
            assert!(
                apps == 0 || apps == N,
                "{}: {apps} apps after kill -9 at {delay_ms} ms",
                b.label
            );
            let v = s.verify().unwrap();
            assert!(v.ok, "{}: {v:?}", b.label);
            let changes = s
                .events(&AuditFilter::default())
                .unwrap()
                .iter()
                .filter(|e| e.event.kind == "registry.added")
                .count();
            assert_eq!(
                changes, apps,
                "no change without its event, no event without its change"
            );
            eprintln!("{}: kill -9 after {delay_ms} ms: {apps} apps", b.label);
        }
    }
}

#[test]
fn two_processes_applying_at_once_queue_or_fail_naming_the_holder_never_interleaved() {
    const N: usize = 5_000;
    for b in backends() {
        let reg = registry("concurrent");
        let spawn = |actor: &str, version: &str, wait: u64| {
            spawn_child(
                "apply",
                &b.url,
                &reg,
                &[
                    ("AOA_CHILD_APPS", N.to_string()),
                    ("AOA_CHILD_VERSION", version.into()),
                    ("AOA_CHILD_ACTOR", actor.into()),
                    ("AOA_CHILD_WAIT", wait.to_string()),
                ],
            )
            .spawn()
            .unwrap()
        };
        let (mut one, mut two) = (spawn("one", "v1", 120), spawn("two", "v2", 120));
        let (r1, r2) = (wait_for(&mut one, "done"), wait_for(&mut two, "done"));
        one.wait().unwrap();
        two.wait().unwrap();
        assert!(
            r1.starts_with("done") && r2.starts_with("done"),
            "{r1} / {r2}"
        );
        let mut s = open(&b.url, &reg);
        // The registry events form two blocks, one per process.
        let actors: Vec<String> = s
            .events(&AuditFilter::default())
            .unwrap()
            .into_iter()
            .filter(|e| e.event.kind.starts_with("registry."))
            .map(|e| e.event.actor)
            .collect();
        let switches = actors.windows(2).filter(|w| w[0] != w[1]).count();
        assert_eq!(switches, 1, "{}: interleaved applies", b.label);
        let last = actors.last().unwrap().clone();
        let version = if last == "one" { "v1" } else { "v2" };
        assert!(
            s.list()
                .unwrap()
                .iter()
                .all(|r| r.version.as_deref() == Some(version))
        );
        assert!(s.verify().unwrap().ok);

        // Without waiting, the second fails naming the holder.
        let mut holder = spawn_child(
            "hold",
            &b.url,
            &reg,
            &[
                ("AOA_CHILD_ACTOR", "holder".into()),
                ("AOA_CHILD_TTL_MS", "30000".into()),
                ("AOA_CHILD_SLEEP_MS", "1500".into()),
                ("AOA_CHILD_APPS", "1".into()),
                ("AOA_CHILD_VERSION", "h".into()),
            ],
        )
        .spawn()
        .unwrap();
        wait_for(&mut holder, "held");
        let mut nowait = spawn_child(
            "apply",
            &b.url,
            &reg,
            &[
                ("AOA_CHILD_APPS", "3".into()),
                ("AOA_CHILD_VERSION", "x".into()),
            ],
        )
        .spawn()
        .unwrap();
        let line = wait_for(&mut nowait, "error");
        nowait.wait().unwrap();
        assert!(
            line.contains("lease-held") && line.contains("held by holder until"),
            "{line}"
        );
        assert_eq!(wait_for(&mut holder, "wrote"), "wrote");
        holder.wait().unwrap();
    }
}

#[test]
fn a_holder_whose_lease_expired_cannot_write() {
    for b in backends() {
        let reg = registry("fence");
        let mut stale = spawn_child(
            "hold",
            &b.url,
            &reg,
            &[
                ("AOA_CHILD_ACTOR", "stale".into()),
                ("AOA_CHILD_TTL_MS", "300".into()),
                ("AOA_CHILD_SLEEP_MS", "1500".into()),
                ("AOA_CHILD_APPS", "10".into()),
                ("AOA_CHILD_VERSION", "stale".into()),
            ],
        )
        .spawn()
        .unwrap();
        let held: i64 = wait_for(&mut stale, "held")
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        std::thread::sleep(Duration::from_millis(500));
        let mut s = aoa_store::open(
            &b.url,
            Options {
                registry: reg.clone(),
                actor: "fresh".into(),
                ..Options::default()
            },
        )
        .unwrap();
        let lease = s.acquire("registry", Duration::from_secs(30)).unwrap();
        assert_eq!(lease.token, held + 1, "{}", b.label);
        s.apply_with_lease(&many(3, "fresh"), ApplyOptions::default(), &lease)
            .unwrap();
        let line = wait_for(&mut stale, "fenced");
        stale.wait().unwrap();
        assert!(
            line.contains("lease-held") && line.contains("held by fresh"),
            "{line}"
        );
        let apps = s.list().unwrap();
        assert_eq!(apps.len(), 3);
        assert!(apps.iter().all(|r| r.version.as_deref() == Some("fresh")));
        assert!(s.verify().unwrap().ok);
    }
}

#[cfg(unix)]
fn limit_file_size(c: &mut Command, bytes: u64) {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        c.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[test]
#[cfg(unix)]
fn a_full_disk_is_a_clear_error_naming_the_store_and_nothing_is_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let url = format!("sqlite:{}", path.display());
    let reg = registry("full");
    let mut s = open(&url, &reg);
    s.apply(&many(3, "v1"), ApplyOptions::default()).unwrap();
    drop(s);
    let size = std::fs::metadata(&path).unwrap().len();
    let mut c = spawn_child(
        "apply",
        &url,
        &reg,
        &[
            ("AOA_CHILD_APPS", "20000".into()),
            ("AOA_CHILD_VERSION", "v2".into()),
        ],
    );
    limit_file_size(&mut c, size + 256 * 1024);
    let mut c = c.spawn().unwrap();
    let line = wait_for(&mut c, "error");
    c.wait().unwrap();
    assert!(
        line.starts_with(&format!("error store store `{url}`")),
        "{line}"
    );
    assert!(line.contains("full"), "{line}");
    let mut s = open(&url, &reg);
    let apps = s.list().unwrap();
    assert_eq!(apps.len(), 3);
    assert!(apps.iter().all(|r| r.version.as_deref() == Some("v1")));
    assert!(s.verify().unwrap().ok);
}

#[test]
#[cfg(unix)]
fn a_read_only_store_file_is_a_clear_error_naming_the_store() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let url = format!("sqlite:{}", path.display());
    let reg = registry("readonly");
    let mut s = open(&url, &reg);
    s.apply(&many(3, "v1"), ApplyOptions::default()).unwrap();
    drop(s);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let mut c = spawn_child(
        "apply",
        &url,
        &reg,
        &[
            ("AOA_CHILD_APPS", "10".into()),
            ("AOA_CHILD_VERSION", "v2".into()),
        ],
    );
    let exe_dir = tempfile::tempdir().unwrap();
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        // Root writes anything: the child drops to `nobody` to meet the permissions, running a copy of this
        // binary that `nobody` can reach (the build directory may be under a private home).
        use std::os::unix::process::CommandExt;
        let exe = exe_dir.path().join("child");
        std::fs::copy(std::env::current_exe().unwrap(), &exe).unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(exe_dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut with_exe = Command::new(&exe);
        with_exe
            .args(c.get_args())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in c.get_envs() {
            if let Some(v) = v {
                with_exe.env(k, v);
            }
        }
        c = with_exe;
        c.uid(65534).gid(65534);
    }
    let mut c = c.spawn().unwrap();
    let line = wait_for(&mut c, "error");
    c.wait().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(
        line.starts_with(&format!("error store store `{url}`")),
        "{line}"
    );
    assert!(line.contains("read") || line.contains("open"), "{line}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "nothing written");
}

#[test]
fn bad_store_urls_and_files_are_clear_errors_naming_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let not_db = dir.path().join("notes.txt");
    std::fs::write(
        &not_db,
        "this is not a database, just some text that is long enough",
    )
    .unwrap();
    let cases = [
        ("mysql://h/db".to_string(), "malformed store URL"),
        ("sqlite:".to_string(), "malformed store URL"),
        (
            "postgres://aoa@127.0.0.1:1/db".to_string(),
            "cannot connect",
        ),
        (format!("sqlite:{}", not_db.display()), "not a database"),
    ];
    for (url, what) in cases {
        let e = aoa_store::open(&url, Options::default()).err().unwrap();
        assert_eq!(e.code(), ErrorCode::Store, "{url}");
        let text = e.to_string();
        assert!(text.starts_with(&format!("store `{url}`")), "{text}");
        assert!(text.contains(what), "{text}");
    }
    assert_eq!(
        std::fs::read_to_string(&not_db).unwrap(),
        "this is not a database, just some text that is long enough"
    );
}
