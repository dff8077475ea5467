//! Subjects: who a grant or deny is about (`user:<id>`, `group:<id>`, `app:<name>`).

use serde::Serialize;

/// The kind of a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// A person, as named by the identity provider (`user:alice`).
    User,
    /// A group from the identity provider's token claims (`group:payments-devs`).
    Group,
    /// An app's own workload identity (`app:payments/api`).
    App,
}

impl SubjectKind {
    /// Every kind, in prefix order.
    pub const ALL: [SubjectKind; 3] = [SubjectKind::User, SubjectKind::Group, SubjectKind::App];

    /// The prefix of the kind, without the colon.
    pub fn prefix(self) -> &'static str {
        match self {
            SubjectKind::User => "user",
            SubjectKind::Group => "group",
            SubjectKind::App => "app",
        }
    }
}

/// Splits `kind:id` into its kind and id, or says what is wrong with it (a message for a diagnostic).
///
/// ```
/// use aoa_core::access::{parse_subject, SubjectKind};
/// assert_eq!(parse_subject("group:ops"), Ok((SubjectKind::Group, "ops")));
/// assert!(parse_subject("team:ops").is_err());
/// assert!(parse_subject("alice").is_err());
/// ```
pub fn parse_subject(text: &str) -> Result<(SubjectKind, &str), String> {
    if let Some(problem) = crate::manifest::too_long("subject", text) {
        return Err(problem);
    }
    let Some((prefix, id)) = text.split_once(':') else {
        return Err(format!(
            "subject `{0}` has no kind; write `user:{0}`, `group:{0}` or `app:{0}`",
            crate::diagnostic::escaped(text)
        ));
    };
    let Some(kind) = SubjectKind::ALL.into_iter().find(|k| k.prefix() == prefix) else {
        return Err(format!(
            "unknown subject kind `{}` in `{}`; use `user:`, `group:` or `app:`",
            crate::diagnostic::escaped(prefix),
            crate::diagnostic::escaped(text)
        ));
    };
    if let Some(c) = id
        .chars()
        .find(|&c| c.is_whitespace() || crate::diagnostic::needs_escape(c))
    {
        return Err(format!(
            "subject `{}` contains {}; an id has no spaces, control or invisible formatting characters",
            crate::diagnostic::escaped(text),
            crate::diagnostic::describe_char(c)
        ));
    }
    if id.is_empty() {
        return Err(format!(
            "subject `{}` needs a non-empty id after `{prefix}:`",
            crate::diagnostic::escaped(text)
        ));
    }
    Ok((kind, id))
}
