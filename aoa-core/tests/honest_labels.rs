//! Honest labels (issue 10, item 5): `env: []` is an error, a respelled `env` label under a deny is a
//! finding, and names, subjects and labels with control, bidirectional or zero-width characters are
//! rejected.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly on what they do not expect"
)]

use aoa_core::{Error, Format, Manifest};

fn load(text: &str) -> Result<Manifest, Error> {
    Manifest::from_str(text, Format::Yaml)
}

fn problems(text: &str) -> Vec<(String, Option<String>, Option<String>)> {
    load(text)
        .unwrap_err()
        .diagnostics()
        .into_iter()
        .map(|d| (d.code.to_string(), d.path, d.app))
        .collect()
}

#[test]
fn an_empty_env_list_is_an_error_on_grants_and_denies() {
    for section in ["grants", "deny"] {
        let text = format!(
            "apps:\n  - name: a\n    {section}: [{{subject: 'group:x', actions: [read], env: []}}]\n"
        );
        let err = load(&text).unwrap_err();
        assert!(matches!(err, Error::InvalidAccess { .. }), "{err}");
        let d = &err.diagnostics()[0];
        assert_eq!(d.code, "wrong-type");
        assert_eq!(
            d.path.as_deref(),
            Some(&*format!("/apps/0/{section}/0/env"))
        );
        assert!(d.message.contains("`env: []`"), "{}", d.message);
    }
    load("apps:\n  - name: a\n    grants: [{subject: 'group:x', actions: [read], env: [prod]}]\n")
        .unwrap();
}

const DENY: &str = "apps:\n  - name: root\n    deny: [{subject: 'group:contractors', actions: ['secrets:*'], env: [prod]}]\n  - name: team\n    parent: root\n    deny: [{subject: 'group:x', actions: [write], env: [stage], propagate: false}]\n  - name: other\n";

#[test]
fn a_respelled_env_label_under_a_deny_is_a_finding() {
    for spelling in ["Prod", "PROD", "p-rod", "prod_"] {
        let text =
            format!("{DENY}  - {{name: api, parent: team, labels: {{env: \"{spelling}\"}}}}\n");
        let found = problems(&text);
        assert_eq!(
            found,
            [(
                "env-spelling".to_string(),
                Some("/apps/3/labels/env".to_string()),
                Some("api".to_string())
            )],
            "{spelling}"
        );
        let err = load(&text).unwrap_err();
        let d = &err.diagnostics()[0];
        assert!(
            d.message.contains("`group:contractors`") && d.message.contains("`root`"),
            "{}",
            d.message
        );
        assert!(
            d.hint.as_deref().unwrap().contains("write `env: prod`"),
            "{:?}",
            d.hint
        );
    }
}

#[test]
fn exact_labels_labels_out_of_reach_and_other_words_are_no_finding() {
    for app in [
        "{name: api, parent: team, labels: {env: prod}}",
        "{name: api, parent: other, labels: {env: Prod}}",
        "{name: api, parent: team, labels: {env: production}}",
        "{name: api, parent: team}",
        // `team`'s deny names `stage` but does not propagate: its child may spell it as it likes.
        "{name: api, parent: team, labels: {env: Stage}}",
    ] {
        load(&format!("{DENY}  - {app}\n")).unwrap();
    }
    // ... but the app the non-propagating deny is declared on is reached.
    let text = DENY.replace(
        "  - name: team\n",
        "  - name: team\n    labels: {env: STAGE}\n",
    );
    assert_eq!(problems(&text)[0].0, "env-spelling");
}

#[test]
fn many_labelled_apps_are_checked_in_one_pass() {
    let mut text = String::from(DENY);
    for i in 0..20_000 {
        text.push_str(&format!(
            "  - {{name: a{i}, parent: {}, labels: {{env: {}}}}}\n",
            if i % 2 == 0 { "team" } else { "other" },
            if i % 3 == 0 { "Prod" } else { "prod" }
        ));
    }
    let started = std::time::Instant::now();
    let err = load(&text).unwrap_err();
    assert!(started.elapsed().as_secs() < 20);
    let total: usize = err
        .diagnostics()
        .iter()
        .map(aoa_core::Diagnostic::problem_count)
        .sum();
    assert_eq!(
        total,
        (0..20_000).filter(|i| i % 2 == 0 && i % 3 == 0).count()
    );
}

#[test]
fn control_bidi_and_zero_width_characters_are_rejected_in_names_subjects_and_labels() {
    for bad in [
        "\\e[2J", "\\u202E", "\\u200B", "\\u2066", "\\uFEFF", "\\u0007",
    ] {
        let name = format!("apps:\n  - name: \"web{bad}x\"\n");
        assert_eq!(problems(&name)[0].0, "invalid-name", "{bad}");
        let subject = format!(
            "apps:\n  - name: a\n    grants: [{{subject: \"user:ann{bad}\", actions: [read]}}]\n"
        );
        assert_eq!(problems(&subject)[0].0, "invalid-subject", "{bad}");
        let value = format!("apps:\n  - name: a\n    labels: {{team: \"pay{bad}\"}}\n");
        assert_eq!(problems(&value)[0].0, "invalid-label", "{bad}");
        let key = format!("apps:\n  - name: a\n    labels: {{\"te{bad}am\": pay}}\n");
        assert_eq!(problems(&key)[0].0, "invalid-label", "{bad}");
        for text in [name, subject, value, key] {
            let message = load(&text).unwrap_err().to_string();
            assert!(
                !message
                    .chars()
                    .any(|c| c.is_control() || aoa_core::diagnostic::is_invisible(c)),
                "{message:?}"
            );
        }
    }
    // Ordinary non-ASCII names and labels stay valid.
    load("apps:\n  - name: équipe/ü\n    labels: {env: prød}\n").unwrap();
}
