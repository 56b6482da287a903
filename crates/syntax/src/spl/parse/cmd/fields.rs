//! `fields [+|-] <field>...` (comma or space separated, `*` wildcards).

use crate::input::*;
use crate::spl::ast::{Command, Fields, FieldsMode};

pub fn parse<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut mode = FieldsMode::Keep;
    if let Some(rest) = eat(i, "-") {
        mode = FieldsMode::Remove;
        i = sp(rest);
    } else if let Some(rest) = eat(i, "+") {
        mode = FieldsMode::Plus;
        i = sp(rest);
    }
    let (rest, fields) = field_list(i, &|_| false)?;
    if fields.is_empty() {
        return fatal(rest, Expected::FieldName);
    }
    Ok((
        rest,
        Command::Fields(Fields {
            mode,
            fields,
            span: span_between(&start, &rest),
        }),
    ))
}
