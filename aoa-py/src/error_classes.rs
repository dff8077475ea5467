// The exception classes of the error codes, included (`include!`) by aoa-py and aoa-typegen.

/// The Python class name of each error code, and the built-in exception it also is: the one exhaustive match,
/// included by the Python binding (`src/lib.rs`) and by aoa-typegen (which writes the same names into the typings).
fn class_of(code: ErrorCode) -> (&'static str, Option<&'static str>) {
    match code {
        ErrorCode::Io => ("IoError", Some("OSError")),
        ErrorCode::Syntax => ("ParseError", None),
        ErrorCode::Manifest => ("ManifestError", None),
        ErrorCode::Cycle => ("CycleError", None),
        ErrorCode::InvalidAccess => ("InvalidAccessError", None),
        ErrorCode::Escalation => ("EscalationError", None),
        ErrorCode::Params => ("ParamsError", None),
        ErrorCode::Schema => ("SchemaError", None),
        ErrorCode::UnknownApp => ("UnknownAppError", Some("LookupError")),
        ErrorCode::InvalidArgument => ("InvalidArgumentError", Some("ValueError")),
        ErrorCode::Store => ("StoreError", None),
        ErrorCode::StoreVersion => ("StoreVersionError", None),
        ErrorCode::LeaseHeld => ("LeaseHeldError", None),
        ErrorCode::GainRefused => ("GainRefusedError", None),
        ErrorCode::Denied => ("DeniedError", Some("PermissionError")),
    }
}
