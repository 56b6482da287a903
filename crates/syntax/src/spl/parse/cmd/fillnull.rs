//! `fillnull [value=<string>] [<field>...]`.

use crate::diagnostic::{Code, Diagnostic};
use crate::input::*;
use crate::spl::ast::{Command, FillNull};

pub fn parse<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut value = None;
    while looks_like_option(&i) {
        let (rest, opt) = option(i)?;
        if !opt.name.is("value") {
            let d = Diagnostic::error(Code::BadOption, format!("fillnull has no option `{}`", opt.name.name))
                .with_label(opt.name.span, "unknown option")
                .with_help("fillnull takes `value=<string>` and an optional field list");
            return Err(nom::Err::Failure(PError::with_diagnostic(&i, d)));
        }
        value = Some(opt.value);
        i = sp(rest);
    }
    let (rest, fields) = field_list(i, &|_| false)?;
    Ok((
        rest,
        Command::FillNull(FillNull {
            value,
            fields,
            span: span_between(&start, &rest),
        }),
    ))
}
