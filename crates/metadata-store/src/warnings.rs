//! Collecting the bad rows a page skipped: each becomes a [`DataWarning`] naming the table and
//! the row, and a `tracing` warning.

use domain::ports::DataWarning;

/// The warnings of one page, in the order they were found.
#[derive(Debug, Default)]
pub struct Warnings {
    list: Vec<DataWarning>,
}

impl Warnings {
    /// Records a skipped row.
    pub fn skip(&mut self, table: &str, id: impl ToString, message: impl Into<String>) {
        let warning = DataWarning {
            table: table.to_owned(),
            id: id.to_string(),
            message: message.into(),
        };
        tracing::warn!(
            table = %warning.table,
            id = %warning.id,
            "skipped a bad metadata row: {}",
            warning.message
        );
        self.list.push(warning);
    }

    /// The warnings collected.
    pub fn into_vec(self) -> Vec<DataWarning> {
        self.list
    }
}
