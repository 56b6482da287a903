//! `table <field>...` (comma or space separated, `*` wildcards).

use crate::input::*;
use crate::spl::ast::{Command, Table};

pub fn parse<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let (rest, fields) = field_list(sp(i), &|_| false)?;
    if fields.is_empty() {
        return fatal(rest, Expected::FieldName);
    }
    Ok((
        rest,
        Command::Table(Table {
            fields,
            span: span_between(&start, &rest),
        }),
    ))
}
