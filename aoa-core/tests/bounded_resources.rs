//! Bounded resources on every input (issue 10, item 4): each limit is a clear, located error, and what
//! grew faster than the input is linear or `n log n` (the `#[ignore]`d benchmark runs each at 10^5:
//! `cargo test --release -p aoa-core --test bounded_resources -- --ignored --nocapture`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly on what they do not expect"
)]

use aoa_core::{Error, Format, Manifest};
use std::fmt::Write as _;
use std::time::Instant;

fn yaml(text: &str) -> Result<Manifest, Error> {
    Manifest::from_str(text, Format::Yaml)
}

fn first(err: &Error) -> aoa_core::Diagnostic {
    err.diagnostics().into_iter().next().unwrap()
}

#[test]
fn yaml_nesting_is_limited_in_flow_and_block_style() {
    let flow = format!(
        "apps:\n  - name: a\n    params: {{x: {}1{}}}\n",
        "[".repeat(200),
        "]".repeat(200)
    );
    let d = first(&yaml(&flow).unwrap_err());
    assert_eq!((d.code, d.line), ("yaml-syntax", Some(3)));
    assert!(
        d.message.contains("deeper than 128 levels"),
        "{}",
        d.message
    );
    let mut block = String::from("apps:\n  - name: a\n    params:\n");
    for depth in 0..200 {
        let _ = writeln!(block, "{}k{depth}:", "  ".repeat(depth + 3));
    }
    let d = first(&yaml(&block).unwrap_err());
    assert!(
        d.message.contains("deeper than 128 levels"),
        "{}",
        d.message
    );
    assert!(d.line.unwrap() > 100, "{d:?}");
    // 100 levels are fine.
    let ok = format!(
        "apps:\n  - name: a\n    params: {{x: {}1{}}}\n",
        "[".repeat(100),
        "]".repeat(100)
    );
    yaml(&ok).unwrap();
}

#[test]
fn json_nesting_is_limited() {
    let text = format!(
        "{{\"apps\": [{{\"name\": \"a\", \"params\": {{\"x\": {}1{}}}}}]}}",
        "[".repeat(300),
        "]".repeat(300)
    );
    let d = first(&Manifest::from_str(&text, Format::Json).unwrap_err());
    assert_eq!(d.code, "json-syntax");
    assert!(d.message.contains("recursion limit"), "{}", d.message);
    let mut deep = serde_json::json!(1);
    for _ in 0..200 {
        deep = serde_json::json!([deep]);
    }
    let err = Manifest::from_records(&[serde_json::json!({"name": "a", "params": {"x": deep}})])
        .unwrap_err();
    assert!(err.to_string().contains("deeper than 128 levels"), "{err}");
    let m = yaml("apps:\n  - name: a\n").unwrap();
    let err =
        aoa_core::dispatch::call(&m, "plan", &serde_json::json!({"changed": [deep]})).unwrap_err();
    assert!(err.to_string().contains("deeper than 128 levels"), "{err}");
}

#[test]
fn alias_expansion_is_capped() {
    let mut text = String::from(
        "apps:\n  - name: a\n    params:\n      l0: &l0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for i in 1..12 {
        let refs = vec![format!("*l{}", i - 1); 10].join(", ");
        let _ = writeln!(text, "      l{i}: &l{i} [{refs}]");
    }
    assert!(text.len() < 2000);
    let started = Instant::now();
    let d = first(&yaml(&text).unwrap_err());
    assert!(started.elapsed().as_secs() < 10);
    assert_eq!(d.code, "yaml-syntax");
    assert!(
        d.message
            .contains("aliases expand the document past its limit"),
        "{}",
        d.message
    );
    assert!(d.line.is_some());
    // Ordinary anchors still work.
    yaml("apps:\n  - {name: a, labels: &l {team: x}}\n  - {name: b, labels: *l}\n").unwrap();
}

#[test]
fn names_and_strings_have_a_length_limit() {
    let long = "a".repeat(1025);
    let d = first(&yaml(&format!("apps:\n  - name: {long}\n")).unwrap_err());
    assert_eq!(d.code, "invalid-name");
    assert!(
        d.message.contains("1025 bytes long, more than 1024"),
        "{}",
        d.message
    );
    assert!(d.message.len() < 300);
    let d = first(
        &yaml(&format!(
            "apps:\n  - name: a\n    labels: {{team: {long}}}\n"
        ))
        .unwrap_err(),
    );
    assert_eq!(d.code, "invalid-label");
    let d = first(
        &yaml(&format!(
            "apps:\n  - name: a\n    grants: [{{subject: 'user:{long}', actions: [read]}}]\n"
        ))
        .unwrap_err(),
    );
    assert_eq!(d.code, "invalid-subject");
    let d = first(
        &yaml(&format!(
            "apps:\n  - name: a\n    grants: [{{subject: 'user:a', actions: [{long}]}}]\n"
        ))
        .unwrap_err(),
    );
    assert_eq!(d.code, "invalid-action");
    yaml(&format!("apps:\n  - name: {}\n", "a".repeat(1024))).unwrap();
}

#[test]
fn did_you_mean_on_two_long_names_is_instant() {
    let a = "x".repeat(45_000);
    let b = format!("{}y", "x".repeat(44_999));
    let text = format!("apps:\n  - name: {b}\n  - name: c\n    parent: {a}\n");
    let started = Instant::now();
    let err = yaml(&text).unwrap_err();
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    assert!(err.diagnostics().iter().any(|d| d.code == "invalid-name"));
}

fn role_chain(n: usize, cycle: bool) -> String {
    let mut text = String::from("apps:\n  - name: root\n    roles:\n");
    for i in 0..n {
        let next = if i + 1 < n {
            format!("r{}", i + 1)
        } else if cycle {
            "r0".into()
        } else {
            String::new()
        };
        let includes = if next.is_empty() {
            String::new()
        } else {
            format!(", includes: [{next}]")
        };
        let _ = writeln!(text, "      r{i}: {{actions: [a{}]{includes}}}", i % 100);
    }
    text
}

#[test]
fn role_include_chains_and_cycles_are_bounded() {
    let err = yaml(&role_chain(2000, true)).unwrap_err();
    let cycles = err
        .diagnostics()
        .iter()
        .filter(|d| d.code == "role-cycle")
        .count();
    assert_eq!(cycles, 1, "{err}");
    yaml(&role_chain(2000, false)).unwrap();
    // 3000 roles each including every one before it through a chain expand past the cap.
    let mut text = String::from("apps:\n  - name: root\n    roles:\n");
    for i in 0..1500 {
        let includes = if i > 0 {
            format!(", includes: [r{}]", i - 1)
        } else {
            String::new()
        };
        let _ = writeln!(text, "      r{i}: {{actions: [\"x{i}:*\"]{includes}}}");
    }
    let d = first(&yaml(&text).unwrap_err());
    assert_eq!(d.code, "invalid-role");
    assert!(
        d.message.contains("past 1000000 action patterns"),
        "{}",
        d.message
    );
    assert!(d.line.is_some());
}

#[test]
fn distinct_actions_are_limited() {
    let mut text = String::from("apps:\n  - name: root\n    grants:\n");
    for i in 0..5000 {
        let _ = writeln!(text, "      - {{subject: 'user:u', actions: [act{i}]}}");
    }
    let d = first(&yaml(&text).unwrap_err());
    assert_eq!(d.code, "invalid-action");
    assert!(d.message.contains("more than 4096"), "{}", d.message);
    assert_eq!(d.path.as_deref(), Some("/apps/0/grants/4096"));
}

/// One line of JSON with `n` apps, each with an unknown key: every problem is located on line 1.
fn one_line_json(n: usize, bad: &str) -> String {
    let mut text = String::from("{\"apps\": [");
    for i in 0..n {
        if i > 0 {
            text.push(',');
        }
        let _ = write!(text, "{{\"name\": \"app{i}\", {bad}}}");
    }
    text.push_str("]}");
    text
}

#[test]
fn errors_in_one_line_json_are_located_by_column() {
    let text = one_line_json(3, "\"bogus\": 1");
    let err = Manifest::from_str(&text, Format::Json).unwrap_err();
    let columns: Vec<usize> = err.diagnostics().iter().filter_map(|d| d.column).collect();
    let expected: Vec<usize> = text
        .match_indices("\"bogus\"")
        .map(|(i, _)| i + 1 + 9)
        .collect();
    assert_eq!(columns, expected, "{text}");
}

fn time(what: &str, f: impl FnOnce()) {
    let started = Instant::now();
    f();
    println!("{what}: {:.3} s", started.elapsed().as_secs_f64());
}

#[test]
#[ignore = "benchmark: run with --release --ignored --nocapture"]
fn benchmark_at_10_5() {
    const N: usize = 100_000;
    let json = one_line_json(N, "\"bogus\": 1");
    time("one-line JSON, 10^5 apps with an unknown key each", || {
        let err = Manifest::from_str(&json, Format::Json).unwrap_err();
        assert!(err.diagnostics().len() > 200);
    });
    let mut text = String::from("apps:\n");
    for i in 0..N {
        let _ = writeln!(
            text,
            "  - {{name: app{i}, grants: [{{subject: 'app:app{i}', actions: [read]}}]}}"
        );
    }
    time(
        "baseline: 10^5 apps, each with a grant to a known app subject",
        || {
            yaml(&text).unwrap();
        },
    );
    let text = text.replace("subject: 'app:app", "subject: 'app:nope");
    time("10^5 grants to unknown app subjects", || {
        yaml(&text).unwrap_err();
    });
    let mut text = String::from("apps:\n  - name: root\n    roles:\n");
    for i in 0..N {
        let _ = writeln!(text, "      r{i}: {{actions: [a{}]}}", i % 100);
    }
    time("baseline: 10^5 roles without includes", || {
        yaml(&text).unwrap();
    });
    let chain = role_chain(N, true);
    time("a cycle of 10^5 roles", || {
        yaml(&chain).unwrap_err();
    });
    let mut text = String::from("apps:\n  - name: root\n    roles:\n");
    for i in 0..N {
        let includes = if i > 0 {
            format!(", includes: [r{}]", i - 1)
        } else {
            String::new()
        };
        let _ = writeln!(text, "      r{i}: {{actions: [\"x{i}:*\"]{includes}}}");
    }
    time(
        "a chain of 10^5 roles each adding a pattern (stops at the cap)",
        || {
            yaml(&text).unwrap_err();
        },
    );
    let mut text = String::from("apps:\n  - name: root\n    grants:\n");
    for i in 0..N {
        let _ = writeln!(text, "      - {{subject: 'user:u{i}', actions: [act{i}]}}");
    }
    time("10^5 distinct actions (stops at the limit)", || {
        yaml(&text).unwrap_err();
    });
    let mut text = String::from("apps:\n  - name: root\n    grants:\n");
    for i in 0..N {
        let _ = writeln!(
            text,
            "      - {{subject: 'user:u{i}', actions: [act{}, \"x{i}:*\"]}}",
            i % 4000
        );
    }
    time(
        "10^5 grants, 4000 distinct actions, 10^5 distinct action sets",
        || {
            yaml(&text).unwrap();
        },
    );
    let mut text = String::from(
        "apps:\n  - name: root\n    deny: [{subject: 'group:c', actions: [write], env: [prod]}]\n",
    );
    for i in 0..N {
        let _ = writeln!(
            text,
            "  - {{name: a{i}, parent: {}, labels: {{env: {}}}}}",
            if i == 0 {
                "root".to_string()
            } else {
                format!("a{}", i - 1)
            },
            if i % 2 == 0 { "Prod" } else { "prod" }
        );
    }
    time("env spelling over a chain of 10^5 labelled apps", || {
        yaml(&text).unwrap_err();
    });
    let text = text.replace("env: Prod", "env: prod");
    time(
        "baseline: the same chain, every label spelled right",
        || {
            yaml(&text).unwrap();
        },
    );
    let a = "x".repeat(45_000);
    let text = format!("apps:\n  - name: {a}y\n  - name: c\n    parent: {a}\n");
    time("did-you-mean between two 45k-character names", || {
        yaml(&text).unwrap_err();
    });
}
