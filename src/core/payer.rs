//! What the customer tells the merchant with a payment: an email address, a billing address and shipping
//! details, in the names Dojo's client API pays with (`userEmailAddress`, `billingAddress`,
//! `shippingDetails`). The intent's `config` says which are required (`customerEmail`, `billingAddress`,
//! `shippingDetails` with `collectionRequired`); [`PayerDetails::check`] applies that and each country's
//! address rules, with typed field errors. The page's form and the sandbox use the same check.

use crate::core::address::{join, text_member, Address, FieldError, ShippingDetails};
use crate::core::json::{self, Obj};
use crate::core::shape::{self, Shape};

/// The longest address RFC 5321 lets through (Dojo's `Customer.emailAddress` has the same `maxLength`).
pub const MAX_EMAIL_LEN: usize = 254;

/// Why an email address is refused: `None` if it is one.
///
/// The rule is the HTML standard's "valid email address" (what `<input type="email">` accepts: an
/// ASCII local part of `atext` and dots, `@`, a domain of LDH labels), plus what a payment needs to
/// deliver a receipt: a dot in the domain, a final label of letters, the local part at most 64 octets, no
/// leading, trailing or doubled dot in it, and at most [`MAX_EMAIL_LEN`] in all. Internationalised
/// local parts (RFC 6531) are refused, as the browser's own check refuses them.
pub fn email_problem(email: &str) -> Option<&'static str> {
    let bad = Some("invalid_email");
    if email.len() > MAX_EMAIL_LEN {
        return Some("too_long");
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return bad;
    };
    let atext = |c: char| {
        c.is_ascii_alphanumeric() || (c.is_ascii() && b"!#$%&'*+/=?^_`{|}~-".contains(&(c as u8)))
    };
    if local.is_empty()
        || local.len() > 64
        || !local.chars().all(|c| atext(c) || c == '.')
        || local.starts_with('.')
        || local.ends_with('.')
        || local.as_bytes().windows(2).any(|w| w == b"..")
    {
        return bad;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let tld = labels.last().copied().unwrap_or("");
    if labels.len() < 2
        || !labels.iter().all(label_ok)
        || tld.len() < 2
        || !tld.chars().all(|c| c.is_ascii_alphabetic())
    {
        return bad;
    }
    None
}

/// Which details the intent's `config` asks the customer for.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Collect {
    pub email: bool,
    pub billing: bool,
    pub shipping: bool,
}

impl Collect {
    pub fn any(self) -> bool {
        self.email || self.billing || self.shipping
    }
}

/// The customer's details for one payment.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PayerDetails {
    pub email: Option<String>,
    pub billing: Option<Address>,
    pub shipping: Option<ShippingDetails>,
}

impl PayerDetails {
    /// Reads `{"userEmailAddress"?, "billingAddress"?, "shippingDetails"?}` (empty text, `null` or `{}`:
    /// nothing). Types and lengths only; [`PayerDetails::check`] applies the rules.
    pub fn from_json(text: &str) -> Result<PayerDetails, FieldError> {
        let text = text.trim();
        if text.is_empty() || text == "null" {
            return Ok(PayerDetails::default());
        }
        let m = json::members(text).ok_or_else(|| FieldError::new("", "$", "wrong_type"))?;
        let part = |key: &str| json::get(&m, key).filter(|v| *v != "null");
        Ok(PayerDetails {
            email: text_member(&m, "userEmailAddress", MAX_EMAIL_LEN, "")?,
            billing: part("billingAddress")
                .map(|a| Address::from_json(a, "billingAddress"))
                .transpose()?,
            shipping: part("shippingDetails")
                .map(|s| ShippingDetails::from_json(s, "shippingDetails"))
                .transpose()?,
        })
    }

    /// Every problem with these details for an intent that collects `collect`, in form order, and the
    /// details normalised (postcodes in their country's form, states as codes). Details the intent does
    /// not ask for are still checked when given: a merchant receives only what meets the rules.
    pub fn check(&mut self, collect: Collect) -> Vec<FieldError> {
        let mut errors = Vec::new();
        match &self.email {
            None if collect.email => {
                errors.push(FieldError::new("", "userEmailAddress", "required"))
            }
            Some(e) => {
                if let Some(code) = email_problem(e) {
                    errors.push(FieldError::new("", "userEmailAddress", code));
                }
            }
            None => {}
        }
        match &mut self.billing {
            None if collect.billing => {
                errors.push(FieldError::new("", "billingAddress", "required"))
            }
            Some(a) => errors.extend(a.check("billingAddress")),
            None => {}
        }
        match &mut self.shipping {
            None if collect.shipping => {
                errors.push(FieldError::new("", "shippingDetails", "required"))
            }
            Some(s) => errors.extend(s.check("shippingDetails")),
            None => {}
        }
        errors
    }

    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.billing.is_none() && self.shipping.is_none()
    }

    /// Adds the details to a request body being built.
    pub fn write(&self, mut o: Obj) -> Obj {
        o = o.opt_str("userEmailAddress", self.email.as_deref());
        if let Some(a) = &self.billing {
            o = o.raw("billingAddress", &a.to_json());
        }
        if let Some(s) = &self.shipping {
            o = o.raw("shippingDetails", &s.to_json());
        }
        o
    }
}

/// The customer's details as the page's checkout sends them with a payment: each member checked against
/// Dojo's shape (types, lengths, an ISO country) and present when the intent's `config` requires it, then
/// kept as the JSON text the page's form made. The country rules ([`PayerDetails::check`]) run in the
/// page's form before Pay (`checkDetails`, which also normalises) and again at the API; the flow checks
/// only this, so a page that builds its own form still sends nothing malformed.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Payer {
    /// `(member, raw JSON)`, in the order they are sent.
    members: Vec<(&'static str, String)>,
}

/// A member's name, its shape, and whether `Collect` requires it.
type Member = (&'static str, Shape, fn(Collect) -> bool);

/// The members a payment may carry.
const PAYER: [Member; 3] = [
    ("userEmailAddress", Shape::Text(254), |c| c.email),
    ("billingAddress", shape::ADDRESS, |c| c.billing),
    ("shippingDetails", shape::SHIPPING, |c| c.shipping),
];

impl Payer {
    /// Reads `{"userEmailAddress"?, "billingAddress"?, "shippingDetails"?}` (empty text: none). The first
    /// problem names its field: `required` for a member the intent collects, or the shape's code.
    pub fn from_json(text: &str, collect: Collect) -> Result<Payer, FieldError> {
        let text = text.trim();
        let text = if text.is_empty() { "{}" } else { text };
        let items = json::object(text).ok_or_else(|| FieldError::new("", "$", "wrong_type"))?;
        let mut members = Vec::new();
        for (key, shape, needed) in PAYER {
            match json::field(items.clone(), key).filter(|v| *v != "null") {
                Some(raw) => {
                    let mut path = String::from(key);
                    shape::check(raw, &shape, &mut path)
                        .map_err(|code| FieldError { field: path, code })?;
                    members.push((key, raw.to_string()));
                }
                None if needed(collect) => return Err(FieldError::new("", key, "required")),
                None => {}
            }
        }
        Ok(Payer { members })
    }

    /// Adds the details to a request body being built.
    pub fn write(&self, mut o: Obj) -> Obj {
        for (key, raw) in &self.members {
            o = o.raw(key, raw);
        }
        o
    }
}

/// `{"valid": bool, "errors": {"billingAddress.postcode": "invalid_postcode", …}, "details": {…}}` for the
/// page's form: the check of `text` (see [`PayerDetails::from_json`]) and the details normalised.
pub fn check_json(text: &str, collect: Collect) -> String {
    let mut errors = Obj::new();
    let mut valid = true;
    let mut normalised = String::from("{}");
    match PayerDetails::from_json(text) {
        Ok(mut d) => {
            for e in d.check(collect) {
                valid = false;
                errors = errors.str(&e.field, e.code);
            }
            normalised = d.write(Obj::new()).finish();
        }
        Err(e) => {
            valid = false;
            errors = errors.str(&join("", &e.field), e.code);
        }
    }
    Obj::new()
        .raw("valid", if valid { "true" } else { "false" })
        .raw("errors", &errors.finish())
        .raw("details", &normalised)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in [
            "ada@example.com",
            "a.b+tag@sub.example.co.uk",
            "o'brien@example.ie",
            "x@xn--bcher-kva.de",
            "user_1@a-b.io",
        ] {
            assert_eq!(email_problem(ok), None, "{ok}");
        }
        for (bad, code) in [
            ("", "invalid_email"),
            ("ada", "invalid_email"),
            ("ada@", "invalid_email"),
            ("@example.com", "invalid_email"),
            ("ada@example", "invalid_email"),
            ("ada@example.c", "invalid_email"),
            ("ada@example.123", "invalid_email"),
            ("ada@-example.com", "invalid_email"),
            ("ada@exa_mple.com", "invalid_email"),
            ("ada@@example.com", "invalid_email"),
            ("a da@example.com", "invalid_email"),
            (".ada@example.com", "invalid_email"),
            ("a..da@example.com", "invalid_email"),
            ("ädä@example.com", "invalid_email"),
            ("ada@example..com", "invalid_email"),
        ] {
            assert_eq!(email_problem(bad), Some(code), "{bad}");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert_eq!(email_problem(&long_local), Some("invalid_email"));
        let long = format!("a@{}.com", "b".repeat(251));
        assert_eq!(email_problem(&long), Some("too_long"));
    }

    fn check(text: &str, collect: Collect) -> Vec<(String, &'static str)> {
        match PayerDetails::from_json(text) {
            Ok(mut d) => d
                .check(collect)
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect(),
            Err(e) => vec![(e.field, e.code)],
        }
    }

    #[test]
    fn required_details_follow_the_config() {
        let all = Collect {
            email: true,
            billing: true,
            shipping: true,
        };
        assert_eq!(
            check("{}", all),
            [
                ("userEmailAddress".to_string(), "required"),
                ("billingAddress".to_string(), "required"),
                ("shippingDetails".to_string(), "required"),
            ]
        );
        assert!(check("", Collect::default()).is_empty());
        let given = r#"{"userEmailAddress":"ada@example","billingAddress":{"countryCode":"US","address1":"1 Main St","city":"Springfield","state":"ZZ","postcode":"1234"},"shippingDetails":{"address":{"countryCode":"GB","address1":"1 High St","city":"London","postcode":"W21DG"}}}"#;
        assert_eq!(
            check(given, Collect::default()),
            [
                ("userEmailAddress".to_string(), "invalid_email"),
                ("billingAddress.state".to_string(), "invalid_state"),
                ("billingAddress.postcode".to_string(), "invalid_postcode"),
                ("shippingDetails.name".to_string(), "required"),
            ],
            "what is given is checked even when not required"
        );
        assert_eq!(
            check(r#"{"billingAddress":"x"}"#, all),
            [("billingAddress".to_string(), "wrong_type")]
        );
    }

    #[test]
    fn check_json_normalises_for_the_form_and_the_wire() {
        let text = r#"{"userEmailAddress":" ada@example.com ","shippingDetails":{"name":"Ada","address":{"countryCode":"ca","address1":"24 Sussex Dr","city":"Ottawa","state":"on","postcode":"k1m1m4"}}}"#;
        let v: serde_json::Value = serde_json::from_str(&check_json(
            text,
            Collect {
                email: true,
                billing: false,
                shipping: true,
            },
        ))
        .expect("JSON");
        assert_eq!(v["valid"], true, "{v}");
        assert_eq!(v["details"]["userEmailAddress"], "ada@example.com");
        let a = &v["details"]["shippingDetails"]["address"];
        assert_eq!(
            (
                a["countryCode"].as_str(),
                a["state"].as_str(),
                a["postcode"].as_str()
            ),
            (Some("CA"), Some("ON"), Some("K1M 1M4"))
        );
        let v: serde_json::Value =
            serde_json::from_str(&check_json("[1]", Collect::default())).expect("JSON");
        assert_eq!(v["valid"], false);
        assert_eq!(v["errors"]["$"], "wrong_type");
    }
}
