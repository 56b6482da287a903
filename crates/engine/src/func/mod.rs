//! SPL eval functions: the registry (names, arities, whether the result is a Boolean) and the
//! evaluation of each. Names are matched case-insensitively, as Splunk does.
//!
//! Functions that decide which arguments to evaluate (`if`, `case`, `coalesce`, ...) are
//! special forms of the expression evaluator; everything here gets its arguments evaluated.

mod hash;
mod json;
mod math;
mod mv;
mod net;

pub use net::parse_cidr;
mod text;
mod time;

use crate::value::Value;

/// Every eval function Quarry implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Func {
    // conditions and types (special forms are If, Case, Coalesce, Validate, NullIf)
    If,
    Case,
    Coalesce,
    Validate,
    NullIf,
    Null,
    True,
    False,
    IsNull,
    IsNotNull,
    IsNum,
    IsInt,
    IsStr,
    IsBool,
    TypeOf,
    Like,
    Match,
    In,
    CidrMatch,
    // text
    Len,
    Lower,
    Upper,
    Trim,
    LTrim,
    RTrim,
    Substr,
    Replace,
    Split,
    ToString,
    ToNumber,
    UrlDecode,
    // math
    Abs,
    Ceil,
    Floor,
    Round,
    Sqrt,
    Pow,
    Exp,
    Ln,
    Log,
    Pi,
    Exact,
    Min,
    Max,
    Random,
    // multivalue
    MvCount,
    MvIndex,
    MvJoin,
    MvAppend,
    MvDedup,
    MvSort,
    MvFind,
    MvZip,
    MvFilter,
    MvMap,
    Spath,
    JsonExtract,
    Printf,
    JsonObject,
    JsonArray,
    JsonKeys,
    JsonValid,
    JsonArrayToMv,
    SearchMatch,
    Md5,
    Sha1,
    Sha256,
    Sha512,
    // time
    Now,
    Time,
    Strftime,
    Strptime,
    RelativeTime,
}

/// What the planner needs to know about a function.
#[derive(Clone, Copy, Debug)]
pub struct FuncInfo {
    pub func: Func,
    pub min_args: usize,
    /// `usize::MAX` for any number.
    pub max_args: usize,
    /// The result is a Boolean (only usable in conditions, not assignable by `eval`).
    pub boolean: bool,
}

const ANY: usize = usize::MAX;

/// Looks a function up by name (any case).
pub fn lookup(name: &str) -> Option<FuncInfo> {
    use Func::*;
    let lower = name.to_ascii_lowercase();
    let (func, min_args, max_args, boolean) = match lower.as_str() {
        "if" => (If, 3, 3, false),
        "case" => (Case, 2, ANY, false),
        "coalesce" => (Coalesce, 1, ANY, false),
        "validate" => (Validate, 2, ANY, false),
        "nullif" => (NullIf, 2, 2, false),
        "null" => (Null, 0, 0, false),
        "true" => (True, 0, 0, true),
        "false" => (False, 0, 0, true),
        "isnull" => (IsNull, 1, 1, true),
        "isnotnull" => (IsNotNull, 1, 1, true),
        "isnum" => (IsNum, 1, 1, true),
        "isint" => (IsInt, 1, 1, true),
        "isstr" => (IsStr, 1, 1, true),
        "isbool" => (IsBool, 1, 1, true),
        "typeof" => (TypeOf, 1, 1, false),
        "like" => (Like, 2, 2, true),
        "match" => (Match, 2, 2, true),
        "in" => (In, 2, ANY, true),
        "cidrmatch" => (CidrMatch, 2, 2, true),
        "len" => (Len, 1, 1, false),
        "lower" => (Lower, 1, 1, false),
        "upper" => (Upper, 1, 1, false),
        "trim" => (Trim, 1, 2, false),
        "ltrim" => (LTrim, 1, 2, false),
        "rtrim" => (RTrim, 1, 2, false),
        "substr" => (Substr, 2, 3, false),
        "replace" => (Replace, 3, 3, false),
        "split" => (Split, 2, 2, false),
        "tostring" => (ToString, 1, 2, false),
        "tonumber" => (ToNumber, 1, 2, false),
        "urldecode" => (UrlDecode, 1, 1, false),
        "abs" => (Abs, 1, 1, false),
        "ceil" | "ceiling" => (Ceil, 1, 1, false),
        "floor" => (Floor, 1, 1, false),
        "round" => (Round, 1, 2, false),
        "sqrt" => (Sqrt, 1, 1, false),
        "pow" => (Pow, 2, 2, false),
        "exp" => (Exp, 1, 1, false),
        "ln" => (Ln, 1, 1, false),
        "log" => (Log, 1, 2, false),
        "pi" => (Pi, 0, 0, false),
        "exact" => (Exact, 1, 1, false),
        "min" => (Min, 1, ANY, false),
        "max" => (Max, 1, ANY, false),
        "random" => (Random, 0, 0, false),
        "mvcount" => (MvCount, 1, 1, false),
        "mvindex" => (MvIndex, 2, 3, false),
        "mvjoin" => (MvJoin, 2, 2, false),
        "mvappend" => (MvAppend, 1, ANY, false),
        "mvdedup" => (MvDedup, 1, 1, false),
        "mvsort" => (MvSort, 1, 1, false),
        "mvfind" => (MvFind, 2, 2, false),
        "mvzip" => (MvZip, 2, 3, false),
        "mvfilter" => (MvFilter, 1, 1, false),
        "mvmap" => (MvMap, 2, 2, false),
        "spath" => (Spath, 2, 2, false),
        "json_extract" => (JsonExtract, 1, 2, false),
        "printf" => (Printf, 1, ANY, false),
        "json_object" => (JsonObject, 0, ANY, false),
        "json_array" => (JsonArray, 0, ANY, false),
        "json_keys" => (JsonKeys, 1, 1, false),
        "json_valid" => (JsonValid, 1, 1, true),
        "json_array_to_mv" => (JsonArrayToMv, 1, 1, false),
        "searchmatch" => (SearchMatch, 1, 1, true),
        "md5" => (Md5, 1, 1, false),
        "sha1" => (Sha1, 1, 1, false),
        "sha256" => (Sha256, 1, 1, false),
        "sha512" => (Sha512, 1, 1, false),
        "now" => (Now, 0, 0, false),
        "time" => (Time, 0, 0, false),
        "strftime" => (Strftime, 2, 2, false),
        "strptime" => (Strptime, 2, 2, false),
        "relative_time" => (RelativeTime, 2, 2, false),
        _ => return None,
    };
    Some(FuncInfo {
        func,
        min_args,
        max_args,
        boolean,
    })
}

/// Eval functions of Splunk's reference that Quarry does not implement yet: using one is
/// `unsupported: <name>`, while any other unknown name is not a Splunk function at all.
pub const KNOWN_UNIMPLEMENTED: &[&str] = &[
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "bit_and",
    "bit_not",
    "bit_or",
    "bit_shift_left",
    "bit_shift_right",
    "bit_xor",
    "commands",
    "cos",
    "cosh",
    "hypot",
    "ipmask",
    "json_append",
    "json_delete",
    "json_entries",
    "json_extend",
    "json_extract_exact",
    "json_has_key_exact",
    "json_set",
    "json_set_exact",
    "lookup",
    "mvrange",
    "mv_to_json_array",
    // Its precision comes from how the operands were written (`1.00*1111` is 1110), which
    // values parsed from JSON no longer carry.
    "sigfig",
    "sin",
    "sinh",
    "sum",
    "tan",
    "tanh",
    "avg",
    "tojson",
    "toarray",
    "tobool",
    "todouble",
    "toint",
    "tomv",
    "toobject",
];

/// Runtime facts functions may read.
#[derive(Clone, Copy, Debug)]
pub struct FuncContext {
    /// The time the search started (epoch seconds): `now()`.
    pub now: f64,
}

/// Applies an eager function to evaluated arguments. `prepared` holds what the planner
/// compiled from literal arguments (a regex, a LIKE pattern, a CIDR block).
pub fn call(func: Func, args: &[Value], prepared: &Prepared, ctx: &FuncContext) -> Value {
    use Func::*;
    match func {
        If | Case | Coalesce | Validate | NullIf | MvFilter | MvMap | SearchMatch => Value::Null, // special forms
        Null => Value::Null,
        True => Value::Bool(true),
        False => Value::Bool(false),
        IsNull => Value::Bool(args[0].is_null()),
        IsNotNull => Value::Bool(!args[0].is_null()),
        IsNum => Value::Bool(matches!(args[0], Value::Int(_) | Value::Float(_)) || args[0].as_number().is_some()),
        IsInt => Value::Bool(match &args[0] {
            Value::Int(_) => true,
            other => other.as_text().is_some_and(|t| t.trim().parse::<i64>().is_ok()),
        }),
        IsStr => Value::Bool(matches!(&args[0], Value::Str(s) if crate::value::parse_number(s).is_none())),
        IsBool => Value::Bool(matches!(args[0], Value::Bool(_))),
        TypeOf => Value::str(match &args[0] {
            Value::Null => "Invalid",
            Value::Bool(_) => "Boolean",
            Value::Int(_) | Value::Float(_) => "Number",
            Value::Str(s) if crate::value::parse_number(s).is_some() => "Number",
            Value::Str(_) => "String",
            Value::Multi(_) => "Multivalue",
            Value::Object(_) => "Object",
        }),
        Like => text::like(&args[0], &args[1], prepared),
        Match => text::regex_match(&args[0], &args[1], prepared),
        In => {
            if args[0].is_null() {
                return Value::Bool(false);
            }
            Value::Bool(
                args[1..]
                    .iter()
                    .any(|candidate| crate::expr::values_equal(&args[0], candidate) == Some(true)),
            )
        }
        CidrMatch => net::cidrmatch(&args[0], &args[1], prepared),
        Len => text::len(&args[0]),
        Lower => text::map_text(&args[0], |s| s.to_lowercase()),
        Upper => text::map_text(&args[0], |s| s.to_uppercase()),
        Trim => text::trim(args, text::TrimSide::Both),
        LTrim => text::trim(args, text::TrimSide::Left),
        RTrim => text::trim(args, text::TrimSide::Right),
        Substr => text::substr(args),
        Replace => text::replace(args, prepared),
        Split => text::split(&args[0], &args[1]),
        ToString => text::to_string(args),
        ToNumber => math::to_number(args),
        UrlDecode => text::map_text(&args[0], text::url_decode),
        Abs => math::unary(&args[0], f64::abs),
        Ceil => math::unary(&args[0], f64::ceil),
        Floor => math::unary(&args[0], f64::floor),
        Round => math::round(args),
        Sqrt => math::unary(&args[0], f64::sqrt),
        Pow => math::binary(&args[0], &args[1], f64::powf),
        Exp => math::unary(&args[0], f64::exp),
        Ln => math::unary(&args[0], f64::ln),
        Log => math::log(args),
        Pi => Value::Float(std::f64::consts::PI),
        Exact => args[0].as_numeric().unwrap_or(Value::Null),
        Min => math::extreme(args, std::cmp::Ordering::Less),
        Max => math::extreme(args, std::cmp::Ordering::Greater),
        Random => Value::Int(math::random()),
        MvCount => mv::count(&args[0]),
        MvIndex => mv::index(args),
        MvJoin => mv::join(&args[0], &args[1]),
        MvAppend => Value::multi(args.iter().cloned()),
        MvDedup => mv::dedup(&args[0]),
        MvSort => mv::sort(&args[0]),
        MvFind => mv::find(&args[0], &args[1], prepared),
        MvZip => mv::zip(args),
        Spath => json::spath(&args[0], &args[1]),
        JsonExtract => json::json_extract(args),
        Printf => json::printf(args),
        JsonObject => json::json_object(args),
        JsonArray => json::json_array(args),
        JsonKeys => json::json_keys(&args[0]),
        JsonValid => json::json_valid(&args[0]),
        JsonArrayToMv => json::json_array_to_mv(&args[0]),
        Md5 => hash::digest(hash::Algorithm::Md5, &args[0]),
        Sha1 => hash::digest(hash::Algorithm::Sha1, &args[0]),
        Sha256 => hash::digest(hash::Algorithm::Sha256, &args[0]),
        Sha512 => hash::digest(hash::Algorithm::Sha512, &args[0]),
        Now => Value::number(ctx.now),
        Time => Value::Float(time::wall_clock()),
        Strftime => time::strftime(&args[0], &args[1]),
        Strptime => time::strptime(&args[0], &args[1]),
        RelativeTime => time::relative(&args[0], &args[1]),
    }
}

/// Arguments compiled ahead of time when they are literals.
#[derive(Clone, Debug, Default)]
pub enum Prepared {
    #[default]
    None,
    Regex(regex::Regex),
    Like(crate::pattern::LikePattern),
    Cidr(ipnet::IpNet),
}

impl Prepared {
    /// The regex compiled ahead of time, else `pattern` compiled now; `None` when the pattern
    /// is not text or not a valid regex.
    pub fn regex_or(&self, pattern: &Value) -> Option<std::borrow::Cow<'_, regex::Regex>> {
        match self {
            Prepared::Regex(r) => Some(std::borrow::Cow::Borrowed(r)),
            _ => pattern
                .as_text()
                .and_then(|p| crate::pcre::compile(&p).ok())
                .map(std::borrow::Cow::Owned),
        }
    }
}

/// Compiles what `func` can use ahead of time from its literal arguments; an error message
/// when a literal is invalid (a bad regex is a plan error, as in Splunk).
pub fn prepare(func: Func, literal_args: &[Option<Value>]) -> Result<Prepared, String> {
    let text = |n: usize| {
        literal_args
            .get(n)
            .and_then(|v| v.as_ref())
            .and_then(|v| v.as_text().map(|t| t.into_owned()))
    };
    match func {
        Func::Match | Func::Replace | Func::MvFind => match text(1) {
            Some(pattern) => crate::pcre::compile(&pattern).map(Prepared::Regex),
            None => Ok(Prepared::None),
        },
        Func::Like => Ok(text(1)
            .map(|p| Prepared::Like(crate::pattern::LikePattern::new(&p)))
            .unwrap_or_default()),
        Func::CidrMatch => match text(0) {
            Some(cidr) => net::parse_cidr(&cidr)
                .map(Prepared::Cidr)
                .ok_or_else(|| format!("invalid CIDR block {cidr:?}")),
            None => Ok(Prepared::None),
        },
        _ => Ok(Prepared::None),
    }
}

impl FuncContext {
    /// The current time (epoch seconds), for `now()` at the start of a run.
    pub fn wall_clock() -> f64 {
        time::wall_clock()
    }
}
