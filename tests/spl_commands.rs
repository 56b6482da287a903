//! The field commands, one documented behaviour per test: `convert`, `rex`, `regex`, `spath`,
//! `fromjson`, `xmlkv`, `replace`, `makemv`, `mvexpand`, `mvcombine`, `addtotals`,
//! `foreach`, and the eval functions that work on multivalues and JSON (`mvfilter`, `mvmap`,
//! `spath()`, `json_extract`, `printf`). The examples follow the Splunk Search Reference.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use common::{ndjson, spl, spl_error};
use quarry_syntax::spl::parse_pipeline;
use quarry_syntax::{SourceKind, SourceMap};
use serde_json::{json, Value as Json};

fn one(query: &str, event: Json) -> Json {
    let rows = spl(query, &ndjson(&[event]));
    assert_eq!(rows.len(), 1, "{query}: {rows:?}");
    rows.into_iter().next().unwrap()
}

fn column(rows: &[Json], name: &str) -> Vec<Json> {
    rows.iter()
        .map(|r| r.get(name).cloned().unwrap_or(Json::Null))
        .collect()
}

// ------------------------------------------------------------------ parse and print

#[test]
fn every_field_command_round_trips() {
    for query in [
        "x | convert timeformat=\"%Y-%m-%dT%H:%M:%S\" ctime(firstTime), ctime(lastTime) as last, num(*)",
        "x | rex field=url max_match=0 \"(?<repository>[^\\/]*\\/[^\\/]*)$\" offset_field=off",
        "x | rex mode=sed field=a \"s/ //g\"",
        "x | regex process=\"(?i)notepad\\.exe$\" | regex _raw!=\"^#\" | regex \"abc\"",
        "x | spath input=Data path=sev output=severity | spath requestParameters{}.bucketName | spath",
        "x | fromjson Data prefix=d_ | xmlkv Message maxinputs=100 | xmlkv",
        "x | replace \"::ffff:*\" with *, a with b in src, dest",
        "x | makemv delim=\" \" allowempty=true Scope | mvexpand new_ace limit=5 | mvcombine delim=\",\" host",
        "x | addtotals fieldname=Score, a, b, c* | addtotals row=f col=t labelfield=name label=All",
        "x | foreach stdev_* matchstr=<<M>> [ eval z_<<M>>='<<FIELD>>' * 2 ] | foreach a b [eval <<FIELD>>=1]",
    ] {
        let mut sources = SourceMap::new();
        let id = sources.add("q", query, SourceKind::Query);
        let tree = parse_pipeline(query, id).unwrap_or_else(|e| panic!("{query}: {e:?}"));
        let printed = tree.to_string();
        let id2 = sources.add("printed", &printed, SourceKind::Query);
        let again = parse_pipeline(&printed, id2).unwrap_or_else(|e| panic!("{printed}: {e:?}"));
        assert_eq!(tree, again, "{query}\nprinted as\n{printed}");
    }
}

// ------------------------------------------------------------------ convert

#[test]
fn convert_ctime_formats_epoch_seconds_with_timeformat() {
    let row = one(
        "| convert timeformat=\"%Y-%m-%dT%H:%M:%S\" ctime(firstTime) | table firstTime",
        json!({"firstTime": 1700000000}),
    );
    assert_eq!(row, json!({"firstTime": "2023-11-14T22:13:20"}));
}

#[test]
fn convert_ctime_defaults_to_month_day_year() {
    let row = one(
        "| convert ctime(t) as shown | table t shown",
        json!({"t": 1700000000.5}),
    );
    assert_eq!(row, json!({"t": 1700000000.5, "shown": "11/14/2023 22:13:20"}));
}

#[test]
fn convert_mktime_parses_text_into_epoch_seconds() {
    let row = one(
        "| convert timeformat=\"%Y-%m-%d %H:%M:%S\" mktime(when) | table when",
        json!({"when": "2023-11-14 22:13:20"}),
    );
    assert_eq!(row, json!({"when": 1700000000}));
}

#[test]
fn convert_number_functions() {
    let row = one(
        "| convert dur2sec(d) mstime(ms) memk(mem) rmcomma(big) rmunit(size) | table d ms mem big size",
        json!({"d": "1+01:00:05", "ms": "02:03.5", "mem": "2m", "big": "1,234,567", "size": "42kb"}),
    );
    assert_eq!(
        row,
        json!({"d": 90005, "ms": 123.5, "mem": 2048, "big": 1234567, "size": 42})
    );
}

#[test]
fn convert_num_removes_what_is_not_a_number_and_auto_leaves_it() {
    let row = one(
        "| convert num(a) auto(b) | table a b c",
        json!({"a": "abc", "b": "abc", "c": 1}),
    );
    assert_eq!(row, json!({"b": "abc", "c": 1}));
}

#[test]
fn convert_wildcards_and_none_exclusions() {
    let row = one(
        "| convert num(*) none(keep) | table x y keep",
        json!({"x": "1", "y": "2.5", "keep": "007"}),
    );
    assert_eq!(row, json!({"x": 1, "y": 2.5, "keep": "007"}));
}

#[test]
fn convert_applies_to_each_value_of_a_multivalue() {
    let row = one(
        "| eval t=split(\"0,1700000000\", \",\") | convert timeformat=\"%Y\" ctime(t) | table t",
        json!({}),
    );
    assert_eq!(row, json!({"t": ["1970", "2023"]}));
}

#[test]
fn convert_with_an_unknown_function_is_an_error() {
    let err = spl_error("| convert cdate(x)");
    assert!(err.contains("convert has no function `cdate`"), "{err}");
}

// ------------------------------------------------------------------ rex

#[test]
fn rex_named_groups_become_fields() {
    let row = one(
        "| rex field=msg \"user=(?<user>\\w+) src=(?P<src>[\\d.]+)\" | table user src",
        json!({"msg": "login user=alice src=10.0.0.1 ok"}),
    );
    assert_eq!(row, json!({"user": "alice", "src": "10.0.0.1"}));
}

#[test]
fn rex_reads_raw_by_default() {
    let row = one("| rex \"\\\"id\\\":(?<n>\\d+)\" | table n", json!({"id": 42}));
    assert_eq!(row, json!({"n": "42"}));
}

#[test]
fn rex_takes_one_match_unless_max_match_says_more() {
    let event = json!({"v": "(a)(b)(c)"});
    let first = one("| rex field=v \"\\((?P<x>.*?)\\)\" | table x", event.clone());
    assert_eq!(first, json!({"x": "a"}));
    let two = one(
        "| rex field=v max_match=2 \"\\((?P<x>.*?)\\)\" | table x",
        event.clone(),
    );
    assert_eq!(two, json!({"x": ["a", "b"]}));
    let all = one("| rex field=v max_match=0 \"\\((?P<x>.*?)\\)\" | table x", event);
    assert_eq!(all, json!({"x": ["a", "b", "c"]}));
}

#[test]
fn rex_without_a_match_leaves_fields_alone() {
    let row = one(
        "| rex field=v \"(?<x>\\d+)\" | table v x",
        json!({"v": "none", "x": "old"}),
    );
    assert_eq!(row, json!({"v": "none", "x": "old"}));
}

#[test]
fn rex_offset_field_records_where_groups_matched() {
    let row = one(
        "| rex field=v \"(?<a>b+)\" offset_field=off | table off",
        json!({"v": "abbc"}),
    );
    assert_eq!(row, json!({"off": "a=1-2"}));
}

#[test]
fn rex_sed_mode_rewrites_the_field() {
    let row = one(
        "| rex field=ssn mode=sed \"s/(\\d{3})-(\\d{2})-(\\d{4})/XXX-XX-\\3/g\" | table ssn",
        json!({"ssn": "123-45-6789"}),
    );
    assert_eq!(row, json!({"ssn": "XXX-XX-6789"}));
    let row = one("| rex field=v mode=sed \"y/abc/xyz/\" | table v", json!({"v": "cab"}));
    assert_eq!(row, json!({"v": "zxy"}));
}

#[test]
fn rex_needs_a_named_group() {
    let err = spl_error("| rex field=v \"\\d+\"");
    assert!(err.contains("at least one named group"), "{err}");
}

#[test]
fn regexes_that_need_backtracking_are_unsupported_by_name() {
    let err = spl_error("| rex field=v \"(?<x>a)(?=b)\"");
    assert!(
        err.contains("unsupported: a lookahead (?=...) in a regular expression"),
        "{err}"
    );
    let err = spl_error("| regex v=\"(a)\\1\"");
    assert!(err.contains("unsupported: the backreference \\1"), "{err}");
}

// ------------------------------------------------------------------ regex

#[test]
fn regex_keeps_matching_events_and_drops_the_rest() {
    let events = ndjson(&[
        json!({"n": 1, "process": "C:\\Windows\\NOTEPAD.EXE"}),
        json!({"n": 2, "process": "cmd.exe"}),
        json!({"n": 3}),
    ]);
    let kept = spl("| regex process=\"(?i)notepad\\.exe$\" | table n", &events);
    assert_eq!(column(&kept, "n"), vec![json!(1)]);
    let not = spl("| regex process!=\"(?i)notepad\\.exe$\" | sort n | table n", &events);
    assert_eq!(column(&not, "n"), vec![json!(2), json!(3)]);
}

#[test]
fn regex_without_a_field_reads_raw() {
    let events = ndjson(&[json!({"n": 1, "m": "abc"}), json!({"n": 2, "m": "xyz"})]);
    let kept = spl("| regex \"ab.\" | table n", &events);
    assert_eq!(column(&kept, "n"), vec![json!(1)]);
}

// ------------------------------------------------------------------ spath, fromjson, xmlkv

fn cloudtrail() -> Json {
    json!({"Data": "{\"requestParameters\": {\"bucketName\": \"b1\", \"rules\": [{\"days\": 1}, {\"days\": 7}]}, \"tags\": [\"a\", \"b\"], \"sev\": 3}"})
}

#[test]
fn spath_extracts_a_path_into_a_field_named_after_it() {
    let row = one(
        "| spath input=Data path=requestParameters.bucketName | table requestParameters.bucketName",
        cloudtrail(),
    );
    assert_eq!(row, json!({"requestParameters.bucketName": "b1"}));
}

#[test]
fn spath_braces_fan_out_over_arrays_and_numbers_index_from_zero() {
    let row = one(
        "| spath input=Data output=days path=requestParameters.rules{}.days | spath input=Data output=first requestParameters.rules{0}.days | spath input=Data output=t path=tags{} | table days first t",
        cloudtrail(),
    );
    assert_eq!(row, json!({"days": [1, 7], "first": 1, "t": ["a", "b"]}));
}

#[test]
fn spath_gives_objects_as_json_text() {
    let row = one(
        "| spath input=Data output=r path=requestParameters.rules{1} | table r",
        cloudtrail(),
    );
    assert_eq!(row, json!({"r": "{\"days\":7}"}));
}

#[test]
fn spath_without_a_path_extracts_every_field() {
    let row = one(
        "| spath input=Data | table sev tags{} requestParameters.rules{}.days",
        cloudtrail(),
    );
    assert_eq!(
        row,
        json!({"sev": 3, "tags{}": ["a", "b"], "requestParameters.rules{}.days": [1, 7]})
    );
}

#[test]
fn spath_reads_raw_by_default() {
    let row = one(
        "| spath output=city path=geo.city | table city",
        json!({"geo": {"city": "Paris"}}),
    );
    assert_eq!(row, json!({"city": "Paris"}));
}

#[test]
fn fromjson_turns_top_level_keys_into_fields() {
    let row = one(
        "| fromjson Data prefix=d_ | table d_sev d_tags d_requestParameters",
        cloudtrail(),
    );
    assert_eq!(
        row,
        json!({"d_sev": 3, "d_tags": ["a", "b"], "d_requestParameters": "{\"bucketName\":\"b1\",\"rules\":[{\"days\":1},{\"days\":7}]}"})
    );
}

#[test]
fn xmlkv_extracts_element_text() {
    let row = one(
        "| xmlkv UserData_Xml | table User Action",
        json!({"UserData_Xml": "<UserData><User id=\"1\">bob</User><Action>add &amp; remove</Action></UserData>"}),
    );
    assert_eq!(row, json!({"User": "bob", "Action": "add & remove"}));
}

// ------------------------------------------------------------------ replace

#[test]
fn replace_matches_whole_values_with_wildcards() {
    let row = one(
        "| replace \"::ffff:*\" with * in src, dest | table src dest other",
        json!({"src": "::ffff:10.0.0.1", "dest": "10.0.0.2", "other": "::ffff:1.1.1.1"}),
    );
    assert_eq!(
        row,
        json!({"src": "10.0.0.1", "dest": "10.0.0.2", "other": "::ffff:1.1.1.1"})
    );
}

#[test]
fn replace_takes_several_pairs() {
    let row = one(
        "| replace \"%%14674\" with \"Value Added\", \"%%14675\" with \"Value Deleted\" in op | table op",
        json!({"op": "%%14675"}),
    );
    assert_eq!(row, json!({"op": "Value Deleted"}));
}

// ------------------------------------------------------------------ makemv, mvexpand, mvcombine

#[test]
fn makemv_splits_on_a_delimiter_or_a_tokenizer() {
    let row = one("| makemv delim=\",\" s | table s", json!({"s": "a,b,,c"}));
    assert_eq!(row, json!({"s": ["a", "b", "c"]}));
    let row = one("| makemv delim=\",\" allowempty=true s | table s", json!({"s": "a,,c"}));
    assert_eq!(row, json!({"s": ["a", "", "c"]}));
    let row = one(
        "| makemv tokenizer=\"([\\w\\-]+)\" p | table p",
        json!({"p": "set-mppreference -name x"}),
    );
    assert_eq!(row, json!({"p": ["set-mppreference", "-name", "x"]}));
}

#[test]
fn mvexpand_makes_one_event_per_value() {
    let rows = spl(
        "| eval t=if(id=1, split(\"a b c\", \" \"), null()) | mvexpand t | table id t",
        &ndjson(&[json!({"id": 1}), json!({"id": 2})]),
    );
    assert_eq!(
        rows,
        vec![
            json!({"id": 1, "t": "a"}),
            json!({"id": 1, "t": "b"}),
            json!({"id": 1, "t": "c"}),
            json!({"id": 2}),
        ]
    );
    let limited = spl(
        "| mvexpand t{} limit=2 | table t{}",
        &ndjson(&[json!({"t": ["a", "b", "c"]})]),
    );
    assert_eq!(column(&limited, "t{}"), vec![json!("a"), json!("b")]);
}

#[test]
fn mvcombine_merges_events_that_differ_in_one_field() {
    let rows = spl(
        "| table h ip | mvcombine ip",
        &ndjson(&[
            json!({"h": "a", "ip": "1"}),
            json!({"h": "b", "ip": "2"}),
            json!({"h": "a", "ip": "3"}),
        ]),
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    let a = rows.iter().find(|r| r["h"] == "a").unwrap();
    let mut ips: Vec<Json> = a["ip"].as_array().unwrap().clone();
    ips.sort_by_key(|v| v.to_string());
    assert_eq!(ips, vec![json!("1"), json!("3")]);
}

// ------------------------------------------------------------------ addtotals

#[test]
fn addtotals_sums_numeric_fields_into_total() {
    let row = one("| table a b c | addtotals", json!({"a": 1, "b": "2.5", "c": "x"}));
    assert_eq!(row, json!({"a": 1, "b": "2.5", "c": "x", "Total": 3.5}));
}

#[test]
fn addtotals_fieldname_and_field_list() {
    let row = one(
        "| addtotals fieldname=Score, jndi, env_var | table Score",
        json!({"jndi": 1, "env_var": 2, "other": 100}),
    );
    assert_eq!(row, json!({"Score": 3}));
}

#[test]
fn addtotals_col_adds_a_row_of_column_sums() {
    let rows = spl(
        "| table name n | addtotals row=f col=t labelfield=name label=All",
        &ndjson(&[json!({"name": "x", "n": 1}), json!({"name": "y", "n": 2})]),
    );
    assert_eq!(rows.last().unwrap(), &json!({"n": 3, "name": "All"}));
}

// ------------------------------------------------------------------ foreach

#[test]
fn foreach_fills_field_templates() {
    let row = one(
        "| foreach a b [eval <<FIELD>>_double = <<FIELD>> * 2] | table a_double b_double",
        json!({"a": 1, "b": 5}),
    );
    assert_eq!(row, json!({"a_double": 2, "b_double": 10}));
}

#[test]
fn foreach_wildcards_and_matchstr() {
    let row = one(
        "| foreach stdev_* [eval flag_<<MATCHSTR>> = if('<<MATCHSTR>>' > 'avg_<<MATCHSTR>>' + 2 * '<<FIELD>>', 1, 0)] | table flag_*",
        json!({"stdev_x": 1, "avg_x": 10, "x": 13, "stdev_y": 1, "avg_y": 10, "y": 11}),
    );
    assert_eq!(row, json!({"flag_x": 1, "flag_y": 0}));
}

#[test]
fn foreach_star_visits_every_field() {
    let row = one(
        "| table a b | foreach * [eval <<FIELD>> = if(<<FIELD>>=\"null\", null(), <<FIELD>>)]",
        json!({"a": "null", "b": "kept"}),
    );
    assert_eq!(row, json!({"b": "kept"}));
}

#[test]
fn foreach_reports_what_its_subsearch_cannot_do() {
    let err = spl_error("| foreach a [stats count]");
    assert!(err.contains("unsupported: stats inside foreach"), "{err}");
}

// ------------------------------------------------------------------ eval functions

#[test]
fn mvfilter_keeps_the_values_for_which_the_predicate_holds() {
    let row = one(
        "| makemv p | eval n=mvcount(mvfilter(match(p, \"^for$\"))), kept=mvfilter(p!=\"x\") | table n kept",
        json!({"p": "for netsh for x"}),
    );
    assert_eq!(row, json!({"n": 2, "kept": ["for", "netsh", "for"]}));
}

#[test]
fn mvfilter_reads_exactly_one_field() {
    let err = spl_error("| eval x=mvfilter(a=b)");
    assert!(err.contains("exactly one field"), "{err}");
}

#[test]
fn mvmap_evaluates_an_expression_per_value() {
    let row = one(
        "| makemv delim=\",\" v | eval m=mvmap(v, v * 10) | table m",
        json!({"v": "1,2,3"}),
    );
    assert_eq!(row, json!({"m": [10, 20, 30]}));
}

#[test]
fn spath_and_json_extract_functions() {
    let row = one(
        "| eval b=spath(Data, \"requestParameters.bucketName\"), d=json_extract(Data, \"requestParameters.rules{}.days\") | table b d",
        cloudtrail(),
    );
    assert_eq!(row, json!({"b": "b1", "d": [1, 7]}));
}

#[test]
fn printf_formats_like_c() {
    let row = one(
        "| eval s=printf(\"%05.1f|%-3s|%d%%\", 2.345, \"ab\", 42) | table s",
        json!({}),
    );
    assert_eq!(row, json!({"s": "002.3|ab |42%"}));
}

#[test]
fn function_names_are_case_insensitive() {
    let row = one(
        "| eval n=MVCOUNT(MVFILTER(LIKE('p{}', \"a%\"))) | table n",
        json!({"p": ["ab", "ac", "b"]}),
    );
    assert_eq!(row, json!({"n": 2}));
}

#[test]
fn eval_regex_functions_read_pcre_spellings() {
    // A `{` that is not a repetition is a literal brace in PCRE (Log4Shell hunting rules).
    let row = one(
        "| eval m=if(match(a, \"(\\$|%24)[^ /]*({|%7b)[^ /]*(j|%6a)\"), 1, 0) | table m",
        json!({"a": "${jndi:ldap://x}"}),
    );
    assert_eq!(row, json!({"m": 1}));
    let err = spl_error("| where match(a, \"a(?=b)\")");
    assert!(
        err.contains("unsupported: a lookahead (?=...) in a regular expression"),
        "{err}"
    );
}

#[test]
fn hash_functions_give_hex_digests() {
    let row = one(
        "| eval m=md5(s), s1=sha1(s), s2=sha256(s) | table m s1 s2",
        json!({"s": "abc"}),
    );
    assert_eq!(
        row,
        json!({
            "m": "900150983cd24fb0d6963f7d28e17f72",
            "s1": "a9993e364706816aba3e25717850c26c9cd0d89d",
            "s2": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        })
    );
}

#[test]
fn json_object_array_keys_and_validity() {
    let row = one(
        "| eval o=json_object(\"a\", 1, \"b\", split(\"x,y\", \",\")), k=json_keys(o), v=if(json_valid(o), \"yes\", \"no\"), mv=json_array_to_mv(json_array(1, \"two\")) | table o k v mv",
        json!({}),
    );
    assert_eq!(
        row,
        json!({"o": "{\"a\":1,\"b\":[\"x\",\"y\"]}", "k": "[\"a\",\"b\"]", "v": "yes", "mv": [1, "two"]})
    );
}

#[test]
fn searchmatch_applies_search_terms_to_the_event() {
    let rows = spl(
        "| eval hit=if(searchmatch(\"user=adm* action=login\"), 1, 0) | sort n | table n hit",
        &ndjson(&[
            json!({"n": 1, "user": "Admin", "action": "login"}),
            json!({"n": 2, "user": "bob", "action": "login"}),
        ]),
    );
    assert_eq!(column(&rows, "hit"), vec![json!(1), json!(0)]);
}

#[test]
fn spath_reads_xml_elements_and_attributes() {
    let xml = "<UserData><RmSessionEvent xmlns=\"http://x\"><RmSessionId>0</RmSessionId><UTCStartTime>2022-10-01</UTCStartTime><App Name=\"a\"/><App Name=\"b\"/></RmSessionEvent></UserData>";
    let row = one(
        "| spath input=UserData_Xml | table UserData.RmSessionEvent.RmSessionId UserData.RmSessionEvent.App{@Name}",
        json!({ "UserData_Xml": xml }),
    );
    assert_eq!(
        row,
        json!({"UserData.RmSessionEvent.RmSessionId": "0", "UserData.RmSessionEvent.App{@Name}": ["a", "b"]})
    );
    let row = one(
        "| spath input=UserData_Xml output=second path=UserData.RmSessionEvent.App{2}{@Name} | spath input=UserData_Xml output=start UserData.RmSessionEvent.UTCStartTime | table second start",
        json!({ "UserData_Xml": xml }),
    );
    assert_eq!(row, json!({"second": "b", "start": "2022-10-01"}));
}

#[test]
fn convert_auto_leaves_a_field_alone_unless_every_value_converts() {
    let row = one(
        "| eval a=split(\"1,x\", \",\"), b=split(\"1,2\", \",\") | convert auto(a) auto(b) | table a b",
        json!({}),
    );
    assert_eq!(row, json!({"a": ["1", "x"], "b": [1, 2]}));
}
