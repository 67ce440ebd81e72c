//! Where config problems are collected: one [`Collector`] per file, shared by the engine and by
//! every edge that owns a table, so `firebell check` lists every problem, each with its file,
//! line, column and key, in file order.

use std::fmt;
use std::ops::Range;

use serde::de::DeserializeOwned;

/// One problem in the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    /// 1-based; 0 when the problem has no single place (e.g. the file could not be read).
    pub line: usize,
    pub column: usize,
    /// Dotted path of the key, e.g. `services.web.room`.
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.key.is_empty()) {
            (0, true) => write!(f, "{}: {}", self.file, self.message),
            (0, false) => write!(f, "{}: {}: {}", self.file, self.key, self.message),
            (_, true) => write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            ),
            (_, false) => write!(
                f,
                "{}:{}:{}: {}: {}",
                self.file, self.line, self.column, self.key, self.message
            ),
        }
    }
}

/// Every problem found, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    /// The file could not be read at all.
    pub fn io(file: &str, e: &std::io::Error) -> Self {
        Self(vec![ConfigError {
            file: file.to_owned(),
            line: 0,
            column: 0,
            key: String::new(),
            message: format!("cannot read the config file: {e}"),
        }])
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// The problems found in one file so far. Each part (the engine, each edge) reads the text
/// through its own serde view with [`Collector::read`] and reports with [`Collector::at`].
pub struct Collector<'a> {
    text: &'a str,
    file: &'a str,
    errors: Vec<ConfigError>,
    /// The first mistake serde found in any view: the file does not have the right shape, and
    /// that one problem is all [`Collector::finish`] reports (as a single parse would).
    malformed: Option<ConfigError>,
}

impl<'a> Collector<'a> {
    pub fn new(text: &'a str, file: &'a str) -> Self {
        Self {
            text,
            file,
            errors: Vec::new(),
            malformed: None,
        }
    }

    /// Records a problem at the value spanning `span` (a `toml::Spanned`'s span).
    pub fn at(&mut self, span: Range<usize>, key: impl Into<String>, message: impl Into<String>) {
        self.errors
            .push(self.error(span, key.into(), message.into()));
    }

    /// The file as the view `T` sees it (serde skips the tables `T` does not name); `None` after
    /// recording why it does not fit.
    pub fn read<T: DeserializeOwned>(&mut self) -> Option<T> {
        match toml::from_str(self.text) {
            Ok(view) => Some(view),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let key = key_at(self.text, span.start);
                let error = self.error(span, key, e.message().to_owned());
                if self
                    .malformed
                    .as_ref()
                    .is_none_or(|m| (error.line, error.column) < (m.line, m.column))
                {
                    self.malformed = Some(error);
                }
                None
            }
        }
    }

    /// Nothing found, or every problem in file order (only the shape problem, if there is one).
    pub fn finish(self) -> Result<(), ConfigErrors> {
        if let Some(m) = self.malformed {
            return Err(ConfigErrors(vec![m]));
        }
        let mut errors = self.errors;
        if errors.is_empty() {
            return Ok(());
        }
        errors.sort_by_key(|e| (e.line, e.column));
        Err(ConfigErrors(errors))
    }

    fn error(&self, span: Range<usize>, key: String, message: String) -> ConfigError {
        let (line, column) = line_col(self.text, span.start);
        ConfigError {
            file: self.file.to_owned(),
            line,
            column,
            key,
            message,
        }
    }
}

/// 1-based line and column of a byte offset; (0, 0) for an empty span at 0 (a defaulted value).
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    if offset == 0 {
        return (1, 1);
    }
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |nl| {
        before[nl + 1..].chars().count()
    }) + 1;
    (line, column)
}

/// The dotted key on the line holding `offset`: the nearest `[table]` header above it joined with
/// the `key =` on that line (serde's errors carry a span but no key path).
fn key_at(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"'))
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    let header = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_owned());
    match (header, key) {
        (Some(h), Some(k)) => format!("{h}.{k}"),
        (None, Some(k)) => k.to_owned(),
        (Some(h), None) => h,
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::line_col;

    #[test]
    fn line_and_column_are_one_based() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 11), (2, 6));
    }
}
