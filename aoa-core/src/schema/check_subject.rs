//! `schema check`: a new schema against a subject of a registry, with the argument checks a caller needs
//! (the mode by name, an unknown subject with a did-you-mean hint).

use super::parse::ParsedSchema;
use super::registry::{CheckReport, CompatibilityMode, Registry};
use crate::error::{Error, Result};
use crate::suggest;

impl Registry {
    /// Checks `schema` as the next version of `subject`, with the mode named `mode` (any case, e.g.
    /// `backward_transitive`) or else the subject's own mode.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an unknown mode, or a subject without versions (with a did-you-mean
    /// hint when a close subject exists).
    pub fn check_subject(
        &self,
        subject: &str,
        schema: &ParsedSchema,
        mode: Option<&str>,
    ) -> Result<CheckReport> {
        let mode = mode
            .map(str::parse::<CompatibilityMode>)
            .transpose()
            .map_err(|e| Error::InvalidArgument {
                message: e.to_string(),
            })?;
        if self.latest_version(subject) == 0 {
            let message = if self.subjects().next().is_none() {
                format!(
                    "unknown subject `{subject}`: the schema registry is empty (it is the `schemas/` directory of `<subject>/<version>.avsc` next to the manifest)"
                )
            } else {
                let hint = suggest::did_you_mean(subject, self.subjects())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                format!("unknown subject `{subject}` in the schema registry{hint}")
            };
            return Err(Error::InvalidArgument { message });
        }
        Ok(self.check(subject, schema, mode))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> Registry {
        let v1 = ParsedSchema::parse_str(
            r#"{"type":"record","name":"P","fields":[{"name":"a","type":"int"}]}"#,
        )
        .unwrap();
        let mut r = Registry::new();
        r.register("payments", v1).unwrap();
        r
    }

    #[test]
    fn checks_known_subjects_and_rejects_unknown_ones_and_modes() {
        let r = registry();
        let next = ParsedSchema::parse_str(
            r#"{"type":"record","name":"P","fields":[{"name":"a","type":"string"}]}"#,
        )
        .unwrap();
        let report = r.check_subject("payments", &next, Some("full")).unwrap();
        assert!(!report.compatible);
        assert_eq!(report.mode, CompatibilityMode::Full);
        let err = |subject: &str, mode: Option<&str>| {
            r.check_subject(subject, &next, mode)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("paymnets", None),
            "invalid argument: unknown subject `paymnets` in the schema registry; did you mean `payments`?"
        );
        assert!(err("payments", Some("sideways")).contains("sideways"));
        assert!(
            Registry::new()
                .check_subject("payments", &next, None)
                .unwrap_err()
                .to_string()
                .contains("the schema registry is empty")
        );
    }
}
