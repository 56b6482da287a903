//! Writing one planned step as an Okta System Log `LogEvent`: the keys in the order Okta's API
//! emits them, nulls where Okta puts nulls, debug data as strings.

use super::catalog::{Use, AGENTS, APPS, CITIES, ISPS, NETWORKS, PHONES};
use super::json;
use super::org::{DeviceRecord, Org, User};
use super::plan::{behavior, Episode, Kind, Outcome, Step, Who};
use super::rng::Rng;

/// Ids that change with every event (request ids, uuids) come from their own stream.
pub struct Renderer {
    seed: u64,
    rng: Rng,
    node: [u8; 6],
    scratch: String,
}

/// The client an event comes from, resolved from the episode.
struct From<'a> {
    ip: [u8; 4],
    net: usize,
    raw_agent: &'a str,
    os: &'a str,
    browser: &'a str,
    kind: &'a str,
    record: Option<&'a DeviceRecord>,
    behaviors: u8,
    dt_hash: Option<&'a [u8; 32]>,
    fingerprint: Option<&'a [u8; 16]>,
}

/// The fixed texts of an event type.
struct Names {
    event_type: &'static str,
    display: &'static str,
    legacy: Option<&'static str>,
}

const fn names(event_type: &'static str, display: &'static str, legacy: Option<&'static str>) -> Names {
    Names {
        event_type,
        display,
        legacy,
    }
}

const AUTH_VIA_MFA: &str = "user.authentication.auth_via_mfa";
const VIA_MFA: &str = "Authentication of user via MFA";

fn names_of(kind: Kind, outcome: Outcome) -> Names {
    let failed = matches!(outcome, Outcome::InvalidCredentials | Outcome::LockedOut);
    match kind {
        Kind::PolicySignOn | Kind::PolicyApp(_) => {
            names("policy.evaluate_sign_on", "Evaluation of sign-on policy", None)
        }
        Kind::Password | Kind::PushAnswer if failed => {
            names(AUTH_VIA_MFA, VIA_MFA, Some("core.user.factor.attempt_fail"))
        }
        Kind::Password | Kind::PushAnswer => names(AUTH_VIA_MFA, VIA_MFA, Some("core.user.factor.attempt_success")),
        Kind::Verify => names("user.authentication.verify", "Verify user identity", None),
        Kind::PushSend => names(
            "system.push.send_factor_verify_push",
            "Push notification sent to Okta Verify",
            None,
        ),
        Kind::DenyPush => names(
            "user.mfa.okta_verify.deny_push",
            "User rejected Okta push verify",
            Some("core.user.factor.push_deny"),
        ),
        Kind::SessionStart if failed => names(
            "user.session.start",
            "User login to Okta",
            Some("core.user_auth.login_failed"),
        ),
        Kind::SessionStart => names(
            "user.session.start",
            "User login to Okta",
            Some("core.user_auth.login_success"),
        ),
        Kind::SessionEnd => names(
            "user.session.end",
            "User logout from Okta",
            Some("core.user_auth.logout_success"),
        ),
        Kind::Sso(_) => names(
            "user.authentication.sso",
            "User single sign on to app",
            Some("app.auth.sso"),
        ),
        Kind::OAuthCode(_) => names(
            "app.oauth2.as.authorize.code",
            "OAuth2 authorization code request",
            Some("app.oauth2.as.authorize.code_success"),
        ),
        Kind::OAuthAccess(_) | Kind::ClientCredentials(_) => names(
            "app.oauth2.as.token.grant.access_token",
            "OAuth2 access token is granted",
            Some("app.oauth2.as.token.grant.access_token_success"),
        ),
        Kind::OAuthId(_) => names(
            "app.oauth2.as.token.grant.id_token",
            "OAuth2 id token is granted",
            Some("app.oauth2.as.token.grant.id_token_success"),
        ),
        Kind::UpdatePassword => names(
            "user.account.update_password",
            "User update password for Okta",
            Some("core.user.config.password_update.success"),
        ),
        Kind::Lock => names(
            "user.account.lock",
            "Max sign in attempts exceeded",
            Some("core.user_auth.account_locked"),
        ),
        Kind::GroupAdd { .. } => names(
            "group.user_membership.add",
            "Add user to group membership",
            Some("core.user_group_member.user_add"),
        ),
        Kind::AppAssign { .. } => names(
            "application.user_membership.add",
            "Add user to application membership",
            Some("app.generic.provision.assign_user_to_app"),
        ),
        Kind::ResetFactors { .. } => names(
            "user.mfa.factor.reset_all",
            "Reset all factors for user",
            Some("core.user.factor.reset_all"),
        ),
    }
}

/// Characters of Okta request ids (a base64 variant).
const REQUEST_ID: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@-";

impl Renderer {
    pub fn new(seed: u64) -> Renderer {
        let mut rng = Rng::derive(seed, 0x0069_6473);
        let mut node = [0u8; 6];
        for b in &mut node {
            *b = rng.below(256) as u8;
        }
        // A random node id has the multicast bit set (RFC 4122, 4.5).
        node[0] |= 1;
        Renderer {
            seed,
            rng,
            node,
            scratch: String::new(),
        }
    }

    /// A request id: the second it was made in, then random characters (27 in all).
    fn request_id(&mut self, at: i64) -> [u8; 27] {
        let mut id = [0u8; 27];
        let secs = (at.div_euclid(1000) as u64) & 0xffff_ffff;
        // 32 bits of time as the first 5 characters and 2 bits of the sixth, as Okta's do.
        for (i, slot) in id.iter_mut().take(6).enumerate() {
            let shift = 26i32 - 6 * i as i32;
            let v = if shift >= 0 { secs >> shift } else { secs << -shift };
            *slot = REQUEST_ID[(v & 63) as usize];
        }
        id[5] = REQUEST_ID[(((secs & 3) << 4) | self.rng.below(16)) as usize];
        for slot in &mut id[6..22] {
            *slot = REQUEST_ID[self.rng.index(64)];
        }
        id[22..24].copy_from_slice(b"AA");
        for slot in &mut id[24..] {
            *slot = REQUEST_ID[self.rng.index(64)];
        }
        id
    }

    /// A time-based (version 1) UUID for an event at `at` milliseconds.
    fn uuid(&mut self, at: i64) -> [u8; 36] {
        // 100-nanosecond intervals since 1582-10-15.
        let ticks = ((at + 12_219_292_800_000) as u64)
            .wrapping_mul(10_000)
            .wrapping_add(self.rng.below(10_000));
        let time_low = ticks & 0xffff_ffff;
        let time_mid = (ticks >> 32) & 0xffff;
        let time_hi = ((ticks >> 48) & 0x0fff) | 0x1000;
        let clock = 0x8000 | self.rng.below(0x4000);
        let mut text = Vec::with_capacity(36);
        json::hex(&mut text, &(time_low as u32).to_be_bytes());
        text.push(b'-');
        json::hex(&mut text, &(time_mid as u16).to_be_bytes());
        text.push(b'-');
        json::hex(&mut text, &(time_hi as u16).to_be_bytes());
        text.push(b'-');
        json::hex(&mut text, &(clock as u16).to_be_bytes());
        text.push(b'-');
        json::hex(&mut text, &self.node);
        let mut out = [0u8; 36];
        out.copy_from_slice(&text);
        out
    }

    /// Appends one event (and a newline) to `out`; returns its uuid.
    pub fn event(&mut self, org: &Org, e: &Episode, step: &Step, at: i64, out: &mut Vec<u8>) -> [u8; 36] {
        let user = &org.users[e.user];
        let from = resolve(org, e, step.who);
        let names = names_of(step.kind, step.outcome);
        let request_id = self.request_id(at);
        let request_id = std::str::from_utf8(&request_id).unwrap_or_default();
        let uuid = self.uuid(at);
        let session = e.session.as_ref().map(|s| std::str::from_utf8(s).unwrap_or_default());

        out.extend_from_slice(b"{\"actor\":");
        if step.who == Who::Service {
            let svc = &org.services[e.service];
            object(out, &svc.id, "PublicClientApp", &svc.id, svc.name, None);
        } else {
            object(out, &user.id, "User", &user.login, &user.name, None);
        }

        out.extend_from_slice(b",\"client\":{\"userAgent\":{\"rawUserAgent\":");
        json::string(out, from.raw_agent);
        out.extend_from_slice(b",\"os\":");
        json::string(out, from.os);
        out.extend_from_slice(b",\"browser\":");
        json::string(out, from.browser);
        out.extend_from_slice(b"},\"zone\":");
        let zone = if NETWORKS[from.net].usage == Use::Office {
            "LegacyIpZone"
        } else {
            "null"
        };
        json::string(out, zone);
        out.extend_from_slice(b",\"device\":");
        json::string(out, from.kind);
        out.extend_from_slice(b",\"id\":");
        match step.kind {
            Kind::OAuthCode(app) | Kind::OAuthAccess(app) | Kind::OAuthId(app) => {
                json::string(out, &org.apps[usize::from(app)].key)
            }
            Kind::ClientCredentials(svc) => json::string(out, &org.services[usize::from(svc)].id),
            _ => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"ipAddress\":\"");
        json::ipv4(out, from.ip);
        out.extend_from_slice(b"\",\"geographicalContext\":");
        geo(out, from.net);
        out.push(b'}');

        out.extend_from_slice(b",\"device\":");
        match from.record {
            Some(d) => device(out, d),
            None => out.extend_from_slice(b"null"),
        }

        let (provider, credential_provider, credential_type) = match step.kind {
            Kind::Password | Kind::Verify => (Some("OKTA_AUTHENTICATION_PROVIDER"), None, Some("PASSWORD")),
            Kind::PushAnswer => (Some("FACTOR_PROVIDER"), Some("OKTA_CREDENTIAL_PROVIDER"), None),
            Kind::SessionStart => (Some("OKTA_AUTHENTICATION_PROVIDER"), None, None),
            _ => (None, None, None),
        };
        out.extend_from_slice(b",\"authenticationContext\":{\"authenticationProvider\":");
        json::opt_string(out, provider);
        out.extend_from_slice(b",\"credentialProvider\":");
        json::opt_string(out, credential_provider);
        out.extend_from_slice(b",\"credentialType\":");
        json::opt_string(out, credential_type);
        out.extend_from_slice(b",\"issuer\":null,\"interface\":null,\"authenticationStep\":0,\"rootSessionId\":");
        json::opt_string(out, session);
        out.extend_from_slice(b",\"externalSessionId\":");
        json::string(out, session.unwrap_or("unknown"));
        out.push(b'}');

        out.extend_from_slice(b",\"displayMessage\":");
        json::string(out, names.display);
        out.extend_from_slice(b",\"eventType\":");
        json::string(out, names.event_type);
        out.extend_from_slice(b",\"outcome\":{\"result\":");
        let (result, reason) = match step.outcome {
            Outcome::Success => ("SUCCESS", None),
            Outcome::InvalidCredentials => ("FAILURE", Some("INVALID_CREDENTIALS")),
            Outcome::LockedOut => ("FAILURE", Some("LOCKED_OUT")),
            Outcome::Allow => ("ALLOW", Some("Sign-on policy evaluation resulted in ALLOW")),
            Outcome::Challenge => ("CHALLENGE", Some("Sign-on policy evaluation resulted in CHALLENGE")),
        };
        json::string(out, result);
        out.extend_from_slice(b",\"reason\":");
        json::opt_string(out, reason);
        out.extend_from_slice(b"},\"published\":\"");
        json::timestamp(out, at);

        let isp = &ISPS[NETWORKS[from.net].isp];
        out.extend_from_slice(b"\",\"securityContext\":{\"asNumber\":");
        json::uint(out, u64::from(isp.as_number));
        out.extend_from_slice(b",\"asOrg\":");
        json::string(out, isp.as_org);
        out.extend_from_slice(b",\"isp\":");
        json::string(out, isp.isp);
        out.extend_from_slice(b",\"domain\":");
        json::string(out, isp.domain);
        out.extend_from_slice(if isp.proxy {
            b",\"isProxy\":true}"
        } else {
            b",\"isProxy\":false}"
        });

        let warn =
            matches!(step.outcome, Outcome::InvalidCredentials | Outcome::LockedOut) || step.kind == Kind::DenyPush;
        out.extend_from_slice(if warn {
            b",\"severity\":\"WARN\""
        } else {
            b",\"severity\":\"INFO\""
        });

        out.extend_from_slice(b",\"debugContext\":{\"debugData\":{\"requestId\":");
        json::string(out, request_id);
        self.debug_data(org, e, user, step, &from, out);
        out.extend_from_slice(b"}},\"legacyEventType\":");
        json::opt_string(out, names.legacy);
        out.extend_from_slice(b",\"transaction\":{\"type\":\"WEB\",\"id\":");
        json::string(out, request_id);
        out.extend_from_slice(b",\"detail\":{}},\"uuid\":\"");
        out.extend_from_slice(&uuid);
        out.extend_from_slice(b"\",\"version\":\"0\",\"request\":{\"ipChain\":[{\"ip\":\"");
        json::ipv4(out, from.ip);
        out.extend_from_slice(b"\",\"geographicalContext\":");
        geo(out, from.net);
        out.extend_from_slice(b",\"version\":\"V4\",\"source\":null}]},\"target\":");
        self.targets(org, e, user, step, out);
        out.extend_from_slice(b"}\n");
        uuid
    }

    /// The keys of `debugData` after `requestId`.
    fn debug_data(&mut self, org: &Org, e: &Episode, user: &User, step: &Step, from: &From, out: &mut Vec<u8>) {
        let classic = e.classic;
        let uri: String = match step.kind {
            Kind::PolicySignOn | Kind::Verify if classic => "/api/v1/authn".into(),
            Kind::PolicySignOn => "/idp/idx/identify".into(),
            Kind::Password | Kind::Lock => "/idp/idx/challenge/answer".into(),
            Kind::PushSend | Kind::PushAnswer | Kind::DenyPush if classic => {
                format!("/api/v1/authn/factors/{}/verify", user.factor_id)
            }
            Kind::DenyPush => format!("/api/v1/authn/factors/{}/verify", user.factor_id),
            Kind::PushSend => "/idp/idx/challenge".into(),
            Kind::PushAnswer => "/idp/idx/authenticators/poll".into(),
            Kind::Verify => "/idp/idx/identify".into(),
            Kind::SessionStart if classic => "/api/v1/authn".into(),
            Kind::SessionStart => "/idp/idx/challenge/answer".into(),
            Kind::SessionEnd => "/login/signout".into(),
            Kind::Sso(app) | Kind::PolicyApp(app) => app_uri(org, usize::from(app)),
            Kind::OAuthCode(_) => "/oauth2/v1/authorize".into(),
            Kind::OAuthAccess(_) | Kind::OAuthId(_) | Kind::ClientCredentials(_) => "/oauth2/v1/token".into(),
            Kind::UpdatePassword => format!("/api/v1/users/{}/credentials/change_password", user.id),
            Kind::GroupAdd { user: target, group } => format!(
                "/api/v1/groups/{}/users/{}",
                org.groups[usize::from(group)].1,
                org.users[target as usize].id
            ),
            Kind::AppAssign { app, .. } => format!("/api/v1/apps/{}/users", org.apps[usize::from(app)].id),
            Kind::ResetFactors { user: target } => {
                format!(
                    "/api/v1/users/{}/lifecycle/reset_factors",
                    org.users[target as usize].id
                )
            }
        };
        out.extend_from_slice(b",\"requestUri\":");
        json::string(out, &uri);
        out.extend_from_slice(b",\"url\":");
        let query = match step.kind {
            Kind::OAuthCode(app) => format!(
                "?client_id={}&response_type=code&scope=openid+profile+email&redirect_uri=https%3A%2F%2F{}.{}%2Fauthorization-code%2Fcallback&state={}",
                org.apps[usize::from(app)].key,
                APPS[usize::from(app)].label.to_lowercase().replace(' ', "-"),
                org.domain,
                self.rng.next_u64() >> 16
            ),
            Kind::PushSend | Kind::PushAnswer if classic => "?rememberDevice=false".into(),
            _ => "?".into(),
        };
        self.scratch.clear();
        self.scratch.push_str(&uri);
        self.scratch.push_str(&query);
        json::string(out, &self.scratch);

        let with_risk = matches!(
            step.kind,
            Kind::PolicySignOn | Kind::PolicyApp(_) | Kind::Password | Kind::Verify | Kind::SessionStart
        ) || (step.kind == Kind::PushSend && step.who != Who::Phone);
        if let (true, Some(fp)) = (with_risk, from.fingerprint) {
            out.extend_from_slice(b",\"deviceFingerprint\":\"");
            json::hex(out, fp);
            out.push(b'"');
        }
        if matches!(step.kind, Kind::PolicySignOn | Kind::PolicyApp(_) | Kind::SessionStart) {
            if let Some(dt) = from.dt_hash {
                out.extend_from_slice(b",\"dtHash\":\"");
                json::hex(out, dt);
                out.push(b'"');
            }
        }
        if with_risk {
            out.extend_from_slice(b",\"behaviors\":\"");
            behaviors(out, from.behaviors);
            out.extend_from_slice(b"\",\"risk\":\"");
            out.extend_from_slice(risk(from.behaviors).as_bytes());
            out.push(b'"');
        }
        match step.kind {
            Kind::Password => {
                out.extend_from_slice(b",\"factor\":\"PASSWORD_AS_FACTOR\",\"factorIntent\":\"AUTHENTICATION\"");
            }
            Kind::PushSend => {
                out.extend_from_slice(b",\"factor\":\"OKTA_VERIFY_PUSH\",\"factorIntent\":\"AUTHENTICATION\"");
            }
            Kind::PushAnswer => {
                out.extend_from_slice(b",\"factor\":\"OKTA_VERIFY_PUSH\"");
                if !classic {
                    out.extend_from_slice(if step.outcome == Outcome::Success {
                        b",\"pushOnlyResponseType\":\"OV_RESPONSE_APPROVE\""
                    } else {
                        b",\"pushOnlyResponseType\":\"OV_RESPONSE_DENY\""
                    });
                    out.extend_from_slice(b",\"keyTypeUsedForAuthentication\":\"PROOF_OF_POSSESSION\"");
                }
            }
            Kind::Sso(app) => {
                let mode = if APPS[usize::from(app)].sign_on == "WS_FEDERATION" {
                    "WS-Federation"
                } else {
                    "SAML 2.0"
                };
                out.extend_from_slice(b",\"initiationType\":");
                json::string(
                    out,
                    if self.rng.chance(600) {
                        "IDP_INITIATED"
                    } else {
                        "SP_INITIATED"
                    },
                );
                out.extend_from_slice(b",\"signOnMode\":");
                json::string(out, mode);
            }
            Kind::OAuthCode(_) | Kind::OAuthAccess(_) | Kind::OAuthId(_) => {
                if !matches!(step.kind, Kind::OAuthCode(_)) {
                    out.extend_from_slice(b",\"grantType\":\"authorization_code\"");
                }
                out.extend_from_slice(
                    b",\"requestedScopes\":\"openid profile email\",\"grantedScopes\":\"openid profile email\"",
                );
                if matches!(step.kind, Kind::OAuthAccess(_)) {
                    out.extend_from_slice(b",\"clientAuthType\":\"client_secret_basic\"");
                }
            }
            Kind::ClientCredentials(svc) => {
                let scopes = org.services[usize::from(svc)].scopes;
                out.extend_from_slice(b",\"grantType\":\"client_credentials\",\"requestedScopes\":");
                json::string(out, scopes);
                out.extend_from_slice(b",\"grantedScopes\":");
                json::string(out, scopes);
                out.extend_from_slice(b",\"clientAuthType\":\"private_key_jwt\"");
            }
            _ => {}
        }
        if with_risk || step.kind == Kind::Lock {
            out.extend_from_slice(b",\"threatSuspected\":\"false\"");
        }
        if step.kind == Kind::PolicySignOn {
            // Okta's copy of risk and behaviours as escaped JSON.
            self.scratch.clear();
            self.scratch.push_str("{\"risk\":{");
            let level = risk_level(from.behaviors);
            if let Some(reasons) = level.1 {
                self.scratch.push_str("\"reasons\":\"");
                self.scratch.push_str(reasons);
                self.scratch.push_str("\",");
            }
            self.scratch.push_str("\"level\":\"");
            self.scratch.push_str(level.0);
            self.scratch.push_str("\"},\"behaviors\":{");
            for (i, (name, bit)) in behavior::NAMES.iter().enumerate() {
                if i > 0 {
                    self.scratch.push(',');
                }
                self.scratch.push('"');
                self.scratch.push_str(name);
                self.scratch.push_str("\":\"");
                self.scratch.push_str(if from.behaviors & bit != 0 {
                    "POSITIVE"
                } else {
                    "NEGATIVE"
                });
                self.scratch.push('"');
            }
            self.scratch.push_str("}}");
            out.extend_from_slice(b",\"logOnlySecurityData\":");
            json::string(out, &self.scratch);
        }
    }

    fn targets(&mut self, org: &Org, e: &Episode, user: &User, step: &Step, out: &mut Vec<u8>) {
        let okta_verify = |out: &mut Vec<u8>, classic: bool| {
            if classic {
                object(out, &user.factor_id, "Factor", "unknown", "Okta Verify", None);
            } else {
                object(
                    out,
                    &user.enrollment_id,
                    "AuthenticatorEnrollment",
                    "unknown",
                    "Okta Verify",
                    Some(
                        r#"{"methodTypeUsed":"Push","methodUsedVerifiedProperties":"[DEVICE_BOUND, HARDWARE_PROTECTED, USER_VERIFYING]"}"#,
                    ),
                );
            }
        };
        let self_target = |out: &mut Vec<u8>, u: &User| object(out, &u.id, "User", &u.login, &u.name, None);
        match step.kind {
            Kind::PolicySignOn => {
                out.push(b'[');
                object(
                    out,
                    &org.session_policy,
                    "PolicyEntity",
                    "unknown",
                    "Default Policy",
                    Some(r#"{"policyType":"OktaSignOn"}"#),
                );
                out.push(b',');
                let (rule, name) = if step.outcome == Outcome::Challenge {
                    (&org.session_rules[1], "Require MFA")
                } else {
                    (&org.session_rules[0], "Default Rule")
                };
                object(out, rule, "PolicyRule", &org.session_policy, name, None);
                out.push(b']');
            }
            Kind::PolicyApp(app) => {
                out.push(b'[');
                object(
                    out,
                    &org.app_policy,
                    "PolicyEntity",
                    "unknown",
                    "Any two factors",
                    Some(r#"{"policyType":"ACCESS_POLICY"}"#),
                );
                out.push(b',');
                object(
                    out,
                    &org.app_rule,
                    "PolicyRule",
                    &org.app_policy,
                    "Catch-all Rule",
                    None,
                );
                out.push(b',');
                app_instance(out, org, usize::from(app));
                out.push(b']');
            }
            Kind::Password | Kind::UpdatePassword | Kind::Lock => {
                out.push(b'[');
                self_target(out, user);
                out.push(b']');
            }
            Kind::PushSend | Kind::PushAnswer => {
                out.push(b'[');
                self_target(out, user);
                out.push(b',');
                okta_verify(out, e.classic);
                out.push(b']');
            }
            Kind::DenyPush => {
                out.push(b'[');
                okta_verify(out, true);
                out.push(b']');
            }
            Kind::Sso(app) => {
                let app = usize::from(app);
                out.push(b'[');
                app_instance(out, org, app);
                out.push(b',');
                let id = org.app_user_id(self.seed, e.user, app);
                object(out, &id, "AppUser", &user.login, &user.name, None);
                out.push(b']');
            }
            Kind::OAuthCode(app) | Kind::OAuthAccess(app) | Kind::OAuthId(app) => {
                out.push(b'[');
                app_instance(out, org, usize::from(app));
                out.push(b']');
            }
            Kind::ClientCredentials(svc) => {
                let svc = &org.services[usize::from(svc)];
                out.push(b'[');
                object(
                    out,
                    &svc.id,
                    "AppInstance",
                    svc.name,
                    svc.name,
                    Some(r#"{"signOnModeType":"OPENID_CONNECT"}"#),
                );
                out.push(b']');
            }
            Kind::GroupAdd { user: target, group } => {
                let (name, id) = &org.groups[usize::from(group)];
                out.push(b'[');
                self_target(out, &org.users[target as usize]);
                out.push(b',');
                object(out, id, "UserGroup", "unknown", name, None);
                out.push(b']');
            }
            Kind::AppAssign { user: target, app } => {
                out.push(b'[');
                self_target(out, &org.users[target as usize]);
                out.push(b',');
                app_instance(out, org, usize::from(app));
                out.push(b']');
            }
            Kind::ResetFactors { user: target } => {
                out.push(b'[');
                self_target(out, &org.users[target as usize]);
                out.push(b']');
            }
            Kind::Verify | Kind::SessionStart | Kind::SessionEnd => out.extend_from_slice(b"null"),
        }
    }
}

fn resolve<'a>(org: &'a Org, e: &'a Episode, who: Who) -> From<'a> {
    let user = &org.users[e.user];
    match who {
        Who::User | Who::Attacker => {
            let c = match (who, &e.attacker) {
                (Who::Attacker, Some(a)) => a,
                _ => &e.browser,
            };
            let agent = &AGENTS[c.agent];
            From {
                ip: c.ip,
                net: c.net,
                raw_agent: agent.raw,
                os: agent.os,
                browser: agent.browser,
                kind: "Computer",
                record: if c.registered {
                    user.laptop.device.as_ref()
                } else {
                    None
                },
                behaviors: c.behaviors,
                dt_hash: Some(&c.dt_hash),
                fingerprint: Some(&c.fingerprint),
            }
        }
        Who::Phone => From {
            ip: e.phone_ip,
            net: e.phone_net,
            raw_agent: &user.phone.user_agent,
            os: PHONES[user.phone.model].os,
            browser: "UNKNOWN",
            kind: "Mobile",
            record: Some(&user.phone.record),
            behaviors: 0,
            dt_hash: None,
            fingerprint: None,
        },
        Who::Service => {
            let svc = &org.services[e.service];
            From {
                ip: svc.ip,
                net: svc.net,
                raw_agent: svc.agent,
                os: "Unknown",
                browser: "UNKNOWN",
                kind: "Unknown",
                record: None,
                behaviors: 0,
                dt_hash: None,
                fingerprint: None,
            }
        }
    }
}

/// `{"id":…,"type":…,"alternateId":…,"displayName":…,"detailEntry":…}` (actor and targets).
fn object(out: &mut Vec<u8>, id: &str, kind: &str, alternate: &str, display: &str, detail: Option<&str>) {
    out.extend_from_slice(b"{\"id\":");
    json::string(out, id);
    out.extend_from_slice(b",\"type\":");
    json::string(out, kind);
    out.extend_from_slice(b",\"alternateId\":");
    json::string(out, alternate);
    out.extend_from_slice(b",\"displayName\":");
    json::string(out, display);
    out.extend_from_slice(b",\"detailEntry\":");
    out.extend_from_slice(detail.unwrap_or("null").as_bytes());
    out.push(b'}');
}

fn app_instance(out: &mut Vec<u8>, org: &Org, app: usize) {
    let a = &APPS[app];
    let detail = format!(r#"{{"signOnModeType":"{}"}}"#, a.sign_on);
    object(out, &org.apps[app].id, "AppInstance", a.label, a.label, Some(&detail));
}

fn app_uri(org: &Org, app: usize) -> String {
    let a = &APPS[app];
    match a.sign_on {
        "OPENID_CONNECT" => "/oauth2/v1/authorize".into(),
        "WS_FEDERATION" => format!("/app/{}/{}/sso/wsfed/passive", a.name, org.apps[app].key),
        _ => format!("/app/{}/{}/sso/saml", a.name, org.apps[app].key),
    }
}

fn geo(out: &mut Vec<u8>, net: usize) {
    let c = &CITIES[NETWORKS[net].city];
    out.extend_from_slice(b"{\"city\":");
    json::string(out, c.name);
    out.extend_from_slice(b",\"state\":");
    json::string(out, c.state);
    out.extend_from_slice(b",\"country\":");
    json::string(out, c.country);
    out.extend_from_slice(b",\"postalCode\":");
    json::string(out, c.postal);
    out.extend_from_slice(b",\"geolocation\":{\"lat\":");
    out.extend_from_slice(c.lat.as_bytes());
    out.extend_from_slice(b",\"lon\":");
    out.extend_from_slice(c.lon.as_bytes());
    out.extend_from_slice(b"}}");
}

fn device(out: &mut Vec<u8>, d: &DeviceRecord) {
    out.extend_from_slice(b"{\"id\":");
    json::string(out, &d.id);
    out.extend_from_slice(b",\"name\":");
    json::string(out, &d.name);
    out.extend_from_slice(b",\"os_platform\":");
    json::string(out, d.os_platform);
    out.extend_from_slice(b",\"os_version\":");
    json::string(out, d.os_version);
    out.extend_from_slice(if d.managed {
        b",\"managed\":true"
    } else {
        b",\"managed\":false"
    });
    out.extend_from_slice(b",\"registered\":true,\"device_integrator\":null,\"disk_encryption_type\":");
    json::string(out, d.disk_encryption);
    out.extend_from_slice(b",\"screen_lock_type\":");
    json::string(out, d.screen_lock);
    out.extend_from_slice(if d.mobile {
        b",\"jailbreak\":false"
    } else {
        b",\"jailbreak\":null"
    });
    out.extend_from_slice(b",\"secure_hardware_present\":true}");
}

/// Okta's behaviour string: `{New Geo-Location=NEGATIVE, New Device=POSITIVE, ...}`.
pub fn behaviors(out: &mut Vec<u8>, flags: u8) {
    out.push(b'{');
    for (i, (name, bit)) in behavior::NAMES.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b", ");
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(if flags & bit != 0 { b"=POSITIVE" } else { b"=NEGATIVE" });
    }
    out.push(b'}');
}

const LOCATION: u8 = behavior::NEW_GEO | behavior::NEW_CITY | behavior::NEW_STATE | behavior::NEW_COUNTRY;

/// Risk level and reasons for a set of behaviour flags.
fn risk_level(flags: u8) -> (&'static str, Option<&'static str>) {
    let device = flags & behavior::NEW_DEVICE != 0;
    let location = flags & LOCATION != 0;
    match (device, location) {
        (true, true) => ("HIGH", Some("Anomalous Device, Anomalous Location")),
        (true, false) => ("MEDIUM", Some("Anomalous Device")),
        (false, true) => ("MEDIUM", Some("Anomalous Location")),
        (false, false) => ("LOW", None),
    }
}

/// Okta's risk string: `{level=LOW}` or `{reasons=Anomalous Device, level=MEDIUM}`.
fn risk(flags: u8) -> &'static str {
    match risk_level(flags) {
        ("HIGH", _) => "{reasons=Anomalous Device, Anomalous Location, level=HIGH}",
        (_, Some("Anomalous Device")) => "{reasons=Anomalous Device, level=MEDIUM}",
        (_, Some(_)) => "{reasons=Anomalous Location, level=MEDIUM}",
        _ => "{level=LOW}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaviours_and_risk_in_oktas_format() {
        let mut out = Vec::new();
        behaviors(&mut out, behavior::NEW_DEVICE);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{New Geo-Location=NEGATIVE, New Device=POSITIVE, New IP=NEGATIVE, New State=NEGATIVE, New Country=NEGATIVE, Velocity=NEGATIVE, New City=NEGATIVE}"
        );
        assert_eq!(risk(0), "{level=LOW}");
        assert_eq!(risk(behavior::NEW_IP), "{level=LOW}");
        assert_eq!(
            risk(behavior::NEW_DEVICE | behavior::NEW_GEO),
            "{reasons=Anomalous Device, Anomalous Location, level=HIGH}"
        );
    }

    #[test]
    fn request_ids_start_with_the_time() {
        let mut r = Renderer::new(1);
        // 2020-02-14T20:18:57Z: Okta's request ids of that second begin with "XkcAs".
        let id = r.request_id(1_581_711_537_718);
        assert!(id.starts_with(b"XkcAs"), "{}", String::from_utf8_lossy(&id));
        let uuid = r.uuid(1_581_711_537_718);
        let text = String::from_utf8(uuid.to_vec()).unwrap();
        assert_eq!(&text[14..15], "1", "version 1: {text}");
        assert!(text.ends_with(&{
            let mut o = Vec::new();
            json::hex(&mut o, &r.node);
            String::from_utf8(o).unwrap()
        }));
    }
}
