//! JSON pointers (RFC 6901) built while walking a value; rendered to text
//! only when an error needs them.

use std::borrow::Cow;

/// One step of a JSON pointer.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step<'v> {
    Key(&'v str),
    Index(usize),
}

/// The path from the root of a value to the current position.
#[derive(Debug, Default)]
pub(crate) struct Pointer<'v> {
    steps: Vec<Step<'v>>,
}

impl<'v> Pointer<'v> {
    pub(super) fn push(&mut self, step: Step<'v>) {
        self.steps.push(step);
    }

    pub(super) fn pop(&mut self) {
        self.steps.pop();
    }

    /// The pointer as text: `""` for the root, `/db/port` below it.
    pub(super) fn render(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            out.push('/');
            match step {
                Step::Key(key) => out.push_str(&escape(key)),
                Step::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }

    /// The pointer to member `key` of the current position.
    pub(super) fn render_child(&self, key: &str) -> String {
        format!("{}/{}", self.render(), escape(key))
    }
}

/// Escapes one reference token: `~` becomes `~0`, `/` becomes `~1`.
pub(crate) fn escape(token: &str) -> Cow<'_, str> {
    if token.contains(['~', '/']) {
        Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(token)
    }
}

/// The reference tokens of a JSON pointer (`""` has none), unescaped.
pub(crate) fn tokens(pointer: &str) -> impl Iterator<Item = Cow<'_, str>> {
    pointer.split('/').skip(1).map(|token| {
        if token.contains('~') {
            Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
        } else {
            Cow::Borrowed(token)
        }
    })
}
