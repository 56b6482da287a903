//! Parse → print → parse gives the same tree, for queries that exercise every command.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

use quarry_syntax::spl::parse_pipeline;
use quarry_syntax::SourceId;

fn round_trip(query: &str) -> String {
    let first = parse_pipeline(query, SourceId(0)).unwrap_or_else(|e| panic!("{query}: {e:?}"));
    let printed = first.to_string();
    let second = parse_pipeline(&printed, SourceId(0)).unwrap_or_else(|e| panic!("reparse of {printed}: {e:?}"));
    assert_eq!(first, second, "\nquery:   {query}\nprinted: {printed}");
    printed
}

#[test]
fn seeds_round_trip() {
    let mismatch = r#"eventtype=okta_log OR sourcetype = "OktaIM2:log" eventType IN (system.push.send_factor_verify_push) OR (eventType IN (user.authentication.auth_via_mfa) debugContext.debugData.factor="OKTA_VERIFY_PUSH") 
| eval groupby="authenticationContext.externalSessionId" 
| eval group_push_time=_time 
| bin span=2s group_push_time 
| fillnull value=NULL 
| stats min(_time) as _time by authenticationContext.externalSessionId eventType debugContext.debugData.factor outcome.result actor.alternateId client.device client.ipAddress client.userAgent.rawUserAgent debugContext.debugData.behaviors group_push_time groupby 
| iplocation client.ipAddress 
| fields - lat, lon, group_push_time 
| stats min(_time) as _time dc(client.ipAddress) as dc_ip sum(eval(if(eventType="system.push.send_factor_verify_push" AND "outcome.result"="SUCCESS",1,0))) as total_pushes sum(eval(if(eventType="user.authentication.auth_via_mfa" AND "outcome.result"="SUCCESS",1,0))) as total_successes sum(eval(if(eventType="user.authentication.auth_via_mfa" AND "outcome.result"="FAILURE",1,0))) as total_rejected sum(eval(if(eventType="system.push.send_factor_verify_push" AND "debugContext.debugData.behaviors" LIKE "%New Device=POSITIVE%",1,0))) as suspect_device_from_source sum(eval(if(eventType="system.push.send_factor_verify_push" AND "debugContext.debugData.behaviors" LIKE "%New IP=POSITIVE%",0,0))) as suspect_ip_from_source values(eval(if(eventType="system.push.send_factor_verify_push","client.ipAddress",""))) as src values(eval(if(eventType="user.authentication.auth_via_mfa","client.ipAddress",""))) as dest values(*) as * by groupby 
| eval ratio = round(total_successes/total_pushes,2) 
| search ((ratio < 0.5 AND total_pushes > 1) OR (total_rejected > 0)) AND dc_ip > 1 AND suspect_device_from_source > 0 AND suspect_ip_from_source > 0 
| "#;
    println!("{}", round_trip(mismatch));
    let cookie = r#"eventtype=okta_log OR sourcetype = "OktaIM2:log" eventType IN (policy.evaluate_sign_on) outcome.result IN (ALLOW, SUCCESS) 
| stats earliest(_time) as _time, values(client.ipAddress) as src_ip, values(client.userAgent.rawUserAgent) as user_agent, values(client.userAgent.os) as userAgentOS_list, values(client.geographicalContext.city) as city, values(client.userAgent.browser) as userAgentBrowser_list, values(device.os_platform) as okta_device_os, dc(client.userAgent.browser) as dc_userAgentBrowser, dc(client.userAgent.os) as dc_userAgentOS, dc(client.ipAddress) as dc_src_ip, values(outcome.reason) as reason by debugContext.debugData.dtHash, user 
| where dc_src_ip>1 AND (dc_userAgentOS>1 OR dc_userAgentBrowser>1) 
| "#;
    println!("{}", round_trip(cookie));
}

#[test]
fn commands_round_trip() {
    for q in [
        "a b OR c NOT d",
        "x=1 AND y!=2 OR z<=3",
        "| makeresults count=3 | eval x=1",
        "search * | head 5 | tail",
        "x | sort - count, +name, num(size) | dedup 2 user src sortby -_time",
        "x | rename a as b, \"c d\" as e | table a, b c | fields + x y",
        "x | eval a=-1*(b+c), s=a . \"-\" . 'c.d', t=if(x IN (\"a\",\"b\"), 1, 0) | where NOT a=1 AND b LIKE \"x%\" XOR c",
        "x | bucket _time span=1h as hour | iplocation prefix=src_ src_ip | eventstats count by user",
        "x | stats count, dc(a), values(*) as * by a b | fillnull value=0 a b",
        "x | head (a>1) limit=3 | sort 10 x desc",
    ] {
        println!("{}", round_trip(q));
    }
}
