//! Lowering of the field commands (`spl::fieldcmds`): `convert`, `rex`, `regex`, `spath`,
//! `fromjson`, `xmlkv`, `replace`, `makemv`, `mvexpand`, `mvcombine`, `addtotals`, `foreach`.

use super::spl::{decode_search_literal, parse_bool, parse_count, unknown_option};
use crate::event::Name;
use crate::ops::fieldops::convert::{ConvertItem, DEFAULT_TIMEFORMAT};
use crate::ops::fieldops::mv::Splitter;
use crate::ops::fieldops::*;
use crate::plan::{FieldPattern, Op};
use quarry_syntax::spl::ast::*;
use quarry_syntax::{Code, Diagnostic, SourceKind, SourceMap, Span};

/// Lowers one of the field commands.
pub fn lower(command: &Command) -> Result<Op, Diagnostic> {
    Ok(Op::FieldOp(match command {
        Command::Convert(c) => convert(c)?,
        Command::Rex(c) => rex(c)?,
        Command::Regex(c) => FieldOp::RegexFilter {
            field: Name::from(c.field.as_ref().map(|f| f.name.as_str()).unwrap_or("_raw")),
            regex: compile_regex(&decode_search_literal(&c.pattern), c.pattern.span)?,
            negate: c.negate,
        },
        Command::Spath(c) => spath(c)?,
        Command::FromJson(c) => {
            let mut prefix = String::new();
            for opt in &c.options {
                match opt.name.name.to_ascii_lowercase().as_str() {
                    "prefix" => prefix = decode_search_literal(&opt.value),
                    _ => return Err(unknown_option("fromjson", opt, &["prefix"])),
                }
            }
            FieldOp::FromJson {
                field: one_field(&c.fields),
                prefix,
            }
        }
        Command::XmlKv(c) => {
            for opt in &c.options {
                match opt.name.name.to_ascii_lowercase().as_str() {
                    "maxinputs" => {
                        parse_count(&opt.value)?;
                    }
                    _ => return Err(unknown_option("xmlkv", opt, &["maxinputs"])),
                }
            }
            FieldOp::XmlKv {
                field: c
                    .fields
                    .first()
                    .map(|f| Name::from(f.name.as_str()))
                    .unwrap_or_else(|| Name::from("_raw")),
            }
        }
        Command::Replace(c) => FieldOp::Replace(ReplaceSpec {
            pairs: c
                .pairs
                .iter()
                .map(|(a, b)| (decode_search_literal(a), decode_search_literal(b)))
                .collect(),
            fields: c.fields.iter().map(|f| FieldPattern::new(&f.name)).collect(),
        }),
        Command::MakeMv(c) => makemv(c)?,
        Command::MvExpand(c) => {
            let mut limit = None;
            for opt in &c.options {
                match opt.name.name.to_ascii_lowercase().as_str() {
                    "limit" => limit = Some(parse_count(&opt.value)?),
                    _ => return Err(unknown_option("mvexpand", opt, &["limit"])),
                }
            }
            no_wildcard(&c.fields, "mvexpand")?;
            FieldOp::MvExpand {
                field: one_field(&c.fields),
                limit,
            }
        }
        Command::MvCombine(c) => {
            for opt in &c.options {
                match opt.name.name.to_ascii_lowercase().as_str() {
                    // The delimiter only shapes the single-value text of the result; Quarry
                    // keeps the multivalue.
                    "delim" => {}
                    _ => return Err(unknown_option("mvcombine", opt, &["delim"])),
                }
            }
            no_wildcard(&c.fields, "mvcombine")?;
            FieldOp::MvCombine {
                field: one_field(&c.fields),
            }
        }
        Command::AddTotals(c) => addtotals(c)?,
        Command::Foreach(c) => foreach(c)?,
        other => {
            return Err(
                Diagnostic::error(Code::Semantic, format!("`{}` is not a field command", other.name()))
                    .with_label(other.span(), ""),
            )
        }
    }))
}

fn one_field(fields: &[Field]) -> Name {
    Name::from(fields.first().map(|f| f.name.as_str()).unwrap_or(""))
}

fn no_wildcard(fields: &[Field], command: &str) -> Result<(), Diagnostic> {
    match fields.iter().find(|f| f.has_wildcard()) {
        Some(f) => Err(
            Diagnostic::error(Code::Semantic, format!("{command} takes a field name without `*`"))
                .with_label(f.span, "a wildcard"),
        ),
        None => Ok(()),
    }
}

/// Compiles a PCRE regex of a command; a construct the linear-time engine cannot run is
/// `unsupported:` with the construct named.
pub fn compile_regex(pattern: &str, span: Span) -> Result<regex::Regex, Diagnostic> {
    match crate::pcre::translate(pattern) {
        Err(u) => Err(
            Diagnostic::unsupported(&format!("{} in a regular expression", u.construct), span).with_note(
                "Quarry matches regular expressions in linear time; backreferences and lookaround need backtracking",
            ),
        ),
        Ok(translated) => regex::Regex::new(&translated).map_err(|e| {
            Diagnostic::error(Code::Semantic, "invalid regular expression")
                .with_label(span, "")
                .with_note(e.to_string())
        }),
    }
}

fn convert(c: &Convert) -> Result<FieldOp, Diagnostic> {
    let mut timeformat = DEFAULT_TIMEFORMAT.to_string();
    for opt in &c.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "timeformat" => timeformat = decode_search_literal(&opt.value),
            _ => return Err(unknown_option("convert", opt, &["timeformat"])),
        }
    }
    let mut items = Vec::new();
    for conv in &c.conversions {
        let Some(func) = ConvertFunc::parse(&conv.func.name) else {
            let mut d = Diagnostic::error(Code::Semantic, format!("convert has no function `{}`", conv.func.name))
                .with_label(conv.func.span, "unknown conversion");
            if let Some(near) =
                quarry_syntax::diagnostic::did_you_mean(&conv.func.name, convert::FUNCTION_NAMES.iter().copied())
            {
                d = d.with_help(format!("did you mean `{near}`?"));
            }
            return Err(d);
        };
        let field = FieldPattern::new(&conv.field.name);
        let alias = conv.alias.as_ref().map(|a| FieldPattern::new(&a.name));
        if let Some(a) = &alias {
            if a.is_wildcard() && a.text.matches('*').count() != field.text.matches('*').count() {
                return Err(Diagnostic::error(
                    Code::Semantic,
                    "convert: the new name needs as many `*` as the field pattern",
                )
                .with_label(conv.span, ""));
            }
        }
        items.push(ConvertItem { func, field, alias });
    }
    Ok(FieldOp::Convert(ConvertSpec { timeformat, items }))
}

fn rex(c: &Rex) -> Result<FieldOp, Diagnostic> {
    let mut field = Name::from("_raw");
    let mut max_match = 1;
    let mut offset_field = None;
    let mut sed = false;
    for opt in &c.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "field" => field = Name::from(decode_search_literal(&opt.value)),
            "max_match" => max_match = parse_count(&opt.value)?,
            "offset_field" => offset_field = Some(Name::from(decode_search_literal(&opt.value))),
            "mode" => {
                let mode = decode_search_literal(&opt.value);
                if !mode.eq_ignore_ascii_case("sed") {
                    return Err(Diagnostic::error(Code::BadOption, "rex: mode can only be sed")
                        .with_label(opt.value.span, "not sed"));
                }
                sed = true;
            }
            _ => {
                return Err(unknown_option(
                    "rex",
                    opt,
                    &["field", "max_match", "offset_field", "mode"],
                ))
            }
        }
    }
    let text = decode_search_literal(&c.pattern);
    if sed {
        let expr = match rex::parse_sed(&text) {
            Ok(e) => e,
            Err(message) if message.contains("linear-time") => {
                return Err(
                    Diagnostic::unsupported("a backtracking construct in a sed regex", c.pattern.span)
                        .with_note(message),
                )
            }
            Err(message) => {
                return Err(
                    Diagnostic::error(Code::Semantic, "rex: bad sed expression").with_label(c.pattern.span, message)
                )
            }
        };
        return Ok(FieldOp::Sed(SedSpec { field, expr }));
    }
    let regex = compile_regex(&text, c.pattern.span)?;
    if regex.capture_names().flatten().next().is_none() {
        return Err(Diagnostic::error(
            Code::Semantic,
            "rex: the regex does not extract anything; it needs at least one named group (?<name>...)",
        )
        .with_label(c.pattern.span, ""));
    }
    Ok(FieldOp::Rex(RexSpec {
        field,
        regex,
        max_match,
        offset_field,
    }))
}

fn spath(c: &Spath) -> Result<FieldOp, Diagnostic> {
    let mut spec = SpathSpec {
        input: Name::from("_raw"),
        path: c.path.as_ref().map(|p| p.name.clone()),
        output: None,
    };
    for opt in &c.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "input" => spec.input = Name::from(decode_search_literal(&opt.value)),
            "output" => spec.output = Some(Name::from(decode_search_literal(&opt.value))),
            "path" => spec.path = Some(decode_search_literal(&opt.value)),
            _ => return Err(unknown_option("spath", opt, &["input", "output", "path"])),
        }
    }
    Ok(FieldOp::Spath(spec))
}

fn makemv(c: &OptionsAndFields) -> Result<FieldOp, Diagnostic> {
    let mut spec = MakeMvSpec {
        field: one_field(&c.fields),
        splitter: Splitter::Delim(" ".into()),
        allow_empty: false,
    };
    for opt in &c.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "delim" => spec.splitter = Splitter::Delim(decode_search_literal(&opt.value)),
            "tokenizer" => {
                spec.splitter = Splitter::Tokenizer(compile_regex(&decode_search_literal(&opt.value), opt.value.span)?)
            }
            "allowempty" => spec.allow_empty = parse_bool(opt)?,
            "setsv" => {
                if parse_bool(opt)? {
                    return Err(Diagnostic::unsupported("makemv setsv=true", opt.span));
                }
            }
            _ => {
                return Err(unknown_option(
                    "makemv",
                    opt,
                    &["delim", "tokenizer", "allowempty", "setsv"],
                ))
            }
        }
    }
    no_wildcard(&c.fields, "makemv")?;
    Ok(FieldOp::MakeMv(spec))
}

fn addtotals(c: &OptionsAndFields) -> Result<FieldOp, Diagnostic> {
    let mut spec = AddTotalsSpec {
        row: true,
        col: false,
        fieldname: Name::from("Total"),
        labelfield: None,
        label: "Total".into(),
        fields: c.fields.iter().map(|f| FieldPattern::new(&f.name)).collect(),
    };
    for opt in &c.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "row" => spec.row = parse_bool(opt)?,
            "col" => spec.col = parse_bool(opt)?,
            "fieldname" => spec.fieldname = Name::from(decode_search_literal(&opt.value)),
            "labelfield" => spec.labelfield = Some(Name::from(decode_search_literal(&opt.value))),
            "label" => spec.label = decode_search_literal(&opt.value),
            _ => {
                return Err(unknown_option(
                    "addtotals",
                    opt,
                    &["row", "col", "fieldname", "labelfield", "label"],
                ))
            }
        }
    }
    Ok(FieldOp::AddTotals(spec))
}

fn foreach(c: &Foreach) -> Result<FieldOp, Diagnostic> {
    let mut spec = ForeachSpec {
        patterns: c.fields.iter().map(|f| FieldPattern::new(&f.name)).collect(),
        template: c.body.clone(),
        fieldstr: "<<FIELD>>".into(),
        matchstr: "<<MATCHSTR>>".into(),
        matchseg: Vec::new(),
    };
    let stars = spec
        .patterns
        .iter()
        .map(|p| p.text.matches('*').count())
        .max()
        .unwrap_or(0);
    spec.matchseg = (1..=stars.max(1)).map(|k| format!("<<MATCHSEG{k}>>")).collect();
    for opt in &c.options {
        let name = opt.name.name.to_ascii_lowercase();
        match name.as_str() {
            "fieldstr" => spec.fieldstr = decode_search_literal(&opt.value),
            "matchstr" => spec.matchstr = decode_search_literal(&opt.value),
            "mode" => {
                let mode = decode_search_literal(&opt.value);
                if !mode.eq_ignore_ascii_case("multifield") {
                    return Err(Diagnostic::unsupported(&format!("foreach mode={mode}"), opt.span));
                }
            }
            seg if seg.starts_with("matchseg") => {
                let k: usize = seg["matchseg".len()..].parse().unwrap_or(0);
                if k == 0 {
                    return Err(unknown_option(
                        "foreach",
                        opt,
                        &["fieldstr", "matchstr", "matchseg1", "mode"],
                    ));
                }
                if spec.matchseg.len() < k {
                    let from = spec.matchseg.len() + 1;
                    spec.matchseg.extend((from..=k).map(|j| format!("<<MATCHSEG{j}>>")));
                }
                spec.matchseg[k - 1] = decode_search_literal(&opt.value);
            }
            _ => {
                return Err(unknown_option(
                    "foreach",
                    opt,
                    &["fieldstr", "matchstr", "matchseg1", "mode"],
                ))
            }
        }
    }
    // Check the subsearch now, filled in for a made-up field, so that its errors and
    // unsupported commands show at plan time.
    let sample = spec
        .patterns
        .first()
        .map(|p| p.text.replace('*', "x"))
        .unwrap_or_default();
    let parts: Vec<String> = vec!["x".to_string(); stars];
    let filled = spec.fill(&sample, &parts);
    if let Err(diags) = compile_subsearch_diagnostics(&filled) {
        let first = diags.into_iter().next();
        let message = first.as_ref().map(|d| d.message.clone()).unwrap_or_default();
        let d = match message.strip_prefix("unsupported: ") {
            Some(name) => Diagnostic::unsupported(name.split(" (").next().unwrap_or(name), c.body_span),
            None => Diagnostic::error(Code::Semantic, format!("foreach: {message}")).with_label(c.body_span, ""),
        };
        return Err(d.with_note(format!("in the foreach subsearch, filled in as `{filled}`")));
    }
    Ok(FieldOp::Foreach(spec))
}

fn compile_subsearch_diagnostics(text: &str) -> Result<Vec<Op>, Vec<Diagnostic>> {
    // The subsearch is a pipeline of commands, not search terms: `[eval x=1]`.
    let text = format!("| {text}");
    let mut sources = SourceMap::new();
    let id = sources.add("foreach subsearch", &text, SourceKind::Query);
    let pipeline = quarry_syntax::spl::parse_pipeline(&text, id)?;
    let ops = super::spl::lower(&pipeline)?;
    for (op, command) in ops.iter().zip(&pipeline.commands) {
        if !foreach::allowed_in_foreach(op) {
            return Err(vec![Diagnostic::unsupported(
                &format!("{} inside foreach", command.name()),
                command.span(),
            )]);
        }
    }
    Ok(ops)
}

/// Compiles a filled-in `foreach` subsearch (used by the operator for each new field name).
pub fn compile_subsearch(text: &str) -> Result<Vec<Op>, String> {
    compile_subsearch_diagnostics(text).map_err(|d| d.into_iter().map(|d| d.message).collect::<Vec<_>>().join("; "))
}

/// `mvfilter(<predicate>)`: the predicate must be a Boolean that reads exactly one field;
/// `mvmap(<field>, <expr>)`: the first argument must be a field.
pub fn lower_per_value(
    func: crate::func::Func,
    name: &Ident,
    args: &[Expr],
    span: Span,
) -> Result<crate::expr::CExpr, Diagnostic> {
    use crate::expr::CExpr;
    if func == crate::func::Func::MvFilter {
        if !super::spl::is_boolean(&args[0]) {
            return Err(Diagnostic::error(
                Code::Semantic,
                "typechecking failed: mvfilter expects a Boolean expression",
            )
            .with_label(args[0].span, "not a Boolean"));
        }
        let expr = super::spl::lower_expr(&args[0])?;
        let mut read = Vec::new();
        expr.fields(&mut read);
        read.dedup();
        let mut distinct: Vec<Name> = Vec::new();
        for n in read {
            if !distinct.contains(&n) {
                distinct.push(n);
            }
        }
        if distinct.len() != 1 {
            return Err(Diagnostic::error(
                Code::Semantic,
                format!("`{}` needs an expression that reads exactly one field", name.name),
            )
            .with_label(span, format!("reads {} fields", distinct.len())));
        }
        return Ok(CExpr::PerValue {
            field: distinct.remove(0),
            expr: Box::new(expr),
            filter: true,
        });
    }
    let ExprKind::Field(field) = &args[0].kind else {
        return Err(Diagnostic::error(
            Code::Semantic,
            format!("the first argument of `{}` must be a field", name.name),
        )
        .with_label(args[0].span, "not a field"));
    };
    Ok(CExpr::PerValue {
        field: Name::from(field.name.as_str()),
        expr: Box::new(super::spl::lower_expr(&args[1])?),
        filter: false,
    })
}
