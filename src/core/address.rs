//! Addresses as Dojo's API writes them (`Address`, `ShippingDetails`), and the rules a customer's address
//! must meet per country: which fields are required, the postcode's shape (normalised: `sw1a1aa` is
//! `SW1A 1AA`) and the states a country has. One implementation for the page (through the wasm) and the
//! sandbox, with typed field errors naming the dotted path of the field.
//!
//! Hand-written templates instead of regexes: the `regex` crate would cost the page's wasm far more than
//! these tables (see the notes on size in `core::json`).

use serde::{Deserialize, Serialize};

use crate::core::json::{self, Obj};

/// One field's problem: the dotted path (`billingAddress.postcode`) and a stable code.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FieldError {
    pub field: String,
    /// `required`, `too_long`, `wrong_type`, `invalid_country`, `invalid_postcode`, `invalid_state`,
    /// `invalid_email`.
    pub code: &'static str,
}

impl FieldError {
    pub fn new(path: &str, key: &str, code: &'static str) -> FieldError {
        FieldError {
            field: join(path, key),
            code,
        }
    }
}

pub(crate) fn join(path: &str, key: &str) -> String {
    let mut s = String::with_capacity(path.len() + key.len() + 1);
    s.push_str(path);
    if !path.is_empty() && !key.is_empty() {
        s.push('.');
    }
    s.push_str(key);
    s
}

/// Dojo's `Address`. Every member is optional text except `countryCode` (ISO 3166-1 alpha-2).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address3: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address4: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    #[serde(default)]
    pub country_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
}

/// Dojo's `ShippingDetails`.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShippingDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

type Slot = fn(&mut Address) -> &mut Option<String>;

/// The optional text members with Dojo's `maxLength`, in Dojo's order (`countryCode` is apart).
const TEXT: [(&str, usize, Slot); 9] = [
    ("address1", 100, |a| &mut a.address1),
    ("address2", 100, |a| &mut a.address2),
    ("address3", 100, |a| &mut a.address3),
    ("address4", 100, |a| &mut a.address4),
    ("city", 100, |a| &mut a.city),
    ("state", 100, |a| &mut a.state),
    ("postcode", 50, |a| &mut a.postcode),
    ("locality", 100, |a| &mut a.locality),
    ("county", 100, |a| &mut a.county),
];

/// Optional text from an object member: absent or `null` is `None`; not a string is `wrong_type`;
/// longer than `max` characters as sent is `too_long` (the API's published `maxLength`). Surrounding
/// whitespace is then dropped, and blank is `None`.
pub(crate) fn text_member(
    members: &[(String, &str)],
    key: &str,
    max: usize,
    path: &str,
) -> Result<Option<String>, FieldError> {
    let Some(raw) = json::get(members, key).filter(|v| *v != "null") else {
        return Ok(None);
    };
    let s = json::string(raw).ok_or_else(|| FieldError::new(path, key, "wrong_type"))?;
    if s.chars().count() > max {
        return Err(FieldError::new(path, key, "too_long"));
    }
    let s = s.trim();
    Ok((!s.is_empty()).then(|| s.to_string()))
}

fn members<'a>(raw: &'a str, path: &str) -> Result<Vec<(String, &'a str)>, FieldError> {
    json::members(raw).ok_or_else(|| FieldError::new(path, "", "wrong_type"))
}

impl Address {
    /// Reads an `Address` object (raw JSON) at `path`, checking only Dojo's schema: types, lengths and a
    /// `countryCode` of two letters (upper-cased). The country's own rules are [`Address::check`].
    pub fn from_json(raw: &str, path: &str) -> Result<Address, FieldError> {
        let m = members(raw, path)?;
        let mut a = Address::default();
        for (key, max, slot) in TEXT {
            *slot(&mut a) = text_member(&m, key, max, path)?;
        }
        let country = text_member(&m, "countryCode", 10, path)?
            .ok_or_else(|| FieldError::new(path, "countryCode", "required"))?;
        a.country_code = country.to_ascii_uppercase();
        if !is_country(&a.country_code) {
            return Err(FieldError::new(path, "countryCode", "invalid_country"));
        }
        Ok(a)
    }

    /// The address as a JSON object (absent members left out).
    pub fn to_json(&self) -> String {
        let mut copy = self.clone();
        let mut o = Obj::new();
        for (key, _, slot) in TEXT {
            o = o.opt_str(key, slot(&mut copy).as_deref());
        }
        o.str("countryCode", &self.country_code).finish()
    }

    /// The country's rules on a customer's address: required members present, postcode of the country's
    /// shape (normalised in place), state one of the country's. Every problem, in field order.
    pub fn check(&mut self, path: &str) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let f = format(&self.country_code);
        if !is_country(&self.country_code) {
            errors.push(FieldError::new(path, "countryCode", "invalid_country"));
        }
        if self.address1.is_none() {
            errors.push(FieldError::new(path, "address1", "required"));
        }
        if self.city.is_none() && f.city == Need::Required {
            errors.push(FieldError::new(path, "city", "required"));
        }
        match (&self.state, f.state) {
            (None, Need::Required) => errors.push(FieldError::new(path, "state", "required")),
            (Some(s), _) if !f.states.is_empty() => match state_code(f.states, s) {
                Some(code) => self.state = Some(code.to_string()),
                None => errors.push(FieldError::new(path, "state", "invalid_state")),
            },
            _ => {}
        }
        match (&self.postcode, f.postcode) {
            (None, Need::Required) => errors.push(FieldError::new(path, "postcode", "required")),
            (Some(p), _) if !f.templates.is_empty() => match normalise_postcode(f.templates, p) {
                Some(p) => self.postcode = Some(p),
                None => errors.push(FieldError::new(path, "postcode", "invalid_postcode")),
            },
            _ => {}
        }
        errors
    }
}

impl ShippingDetails {
    pub fn from_json(raw: &str, path: &str) -> Result<ShippingDetails, FieldError> {
        let m = members(raw, path)?;
        let address = match json::get(&m, "address").filter(|v| *v != "null") {
            Some(a) => Some(Address::from_json(a, &join(path, "address"))?),
            None => None,
        };
        Ok(ShippingDetails {
            name: text_member(&m, "name", 100, path)?,
            delivery_notes: text_member(&m, "deliveryNotes", 1024, path)?,
            address,
        })
    }

    pub fn to_json(&self) -> String {
        let o = Obj::new()
            .opt_str("name", self.name.as_deref())
            .opt_str("deliveryNotes", self.delivery_notes.as_deref());
        match &self.address {
            Some(a) => o.raw("address", &a.to_json()),
            None => o,
        }
        .finish()
    }

    /// A customer's shipping details: a name and an address that meets its country's rules.
    pub fn check(&mut self, path: &str) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.name.is_none() {
            errors.push(FieldError::new(path, "name", "required"));
        }
        match &mut self.address {
            Some(a) => errors.extend(a.check(&join(path, "address"))),
            None => errors.push(FieldError::new(path, "address", "required")),
        }
        errors
    }
}

/// Whether a member is needed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Need {
    Required,
    Optional,
}

/// How a country writes addresses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Format {
    pub postcode: Need,
    /// Postcode shapes: `a` a letter, `9` a digit, `x` either, anything else literal. Input is compared
    /// without spaces and hyphens, and written back in the template's form. Empty: any text.
    pub templates: &'static [&'static str],
    pub state: Need,
    /// The country's states as codes separated by `,` (empty: free text).
    pub states: &'static str,
    pub city: Need,
    /// What the country calls the two: for labels.
    pub postcode_name: &'static str,
    pub state_name: &'static str,
    /// Postcode, state and city come before the street (Japan).
    pub big_first: bool,
}

const GENERIC: Format = Format {
    postcode: Need::Optional,
    templates: &[],
    state: Need::Optional,
    states: "",
    city: Need::Required,
    postcode_name: "postal",
    state_name: "region",
    big_first: false,
};

/// The USPS codes: states, DC, the inhabited territories and the armed forces' addresses.
const US_STATES: &str =
    "AL,AK,AZ,AR,CA,CO,CT,DE,DC,FL,GA,HI,ID,IL,IN,IA,KS,KY,LA,ME,MD,MA,MI,MN,MS,MO,MT,NE,NV,\
NH,NJ,NM,NY,NC,ND,OH,OK,OR,PA,RI,SC,SD,TN,TX,UT,VT,VA,WA,WV,WI,WY,AS,GU,MP,PR,VI,AA,AE,AP";
const CA_PROVINCES: &str = "AB,BC,MB,NB,NL,NS,NT,NU,ON,PE,QC,SK,YT";
const AU_STATES: &str = "ACT,NSW,NT,QLD,SA,TAS,VIC,WA";
/// The 47 prefectures as written on Japanese addresses (ISO 3166-2:JP order).
const JP_PREFECTURES: &str = "北海道,青森県,岩手県,宮城県,秋田県,山形県,福島県,茨城県,栃木県,群馬県,埼玉県,千葉県,東京都,神奈川県,\
新潟県,富山県,石川県,福井県,山梨県,長野県,岐阜県,静岡県,愛知県,三重県,滋賀県,京都府,大阪府,兵庫県,奈良県,和歌山県,鳥取県,島根県,\
岡山県,広島県,山口県,徳島県,香川県,愛媛県,高知県,福岡県,佐賀県,長崎県,熊本県,大分県,宮崎県,鹿児島県,沖縄県";

/// The rules for `country` (ISO 3166-1 alpha-2, upper case); others get [`GENERIC`]'s: postcode and
/// state optional free text, city required except where there are no cities.
pub fn format(country: &str) -> Format {
    let f = GENERIC;
    match country {
        "GB" => Format {
            postcode: Need::Required,
            templates: &[
                "a9 9aa", "a99 9aa", "aa9 9aa", "aa99 9aa", "a9a 9aa", "aa9a 9aa",
            ],
            state_name: "county",
            postcode_name: "postcode",
            ..f
        },
        "US" => Format {
            postcode: Need::Required,
            templates: &["99999", "99999-9999"],
            state: Need::Required,
            states: US_STATES,
            postcode_name: "zip",
            state_name: "state",
            ..f
        },
        "DE" | "FR" => Format {
            postcode: Need::Required,
            templates: &["99999"],
            ..f
        },
        "IE" => Format {
            templates: &["a99 xxxx", "D6W xxxx"],
            postcode_name: "eircode",
            state_name: "county",
            ..f
        },
        "CA" => Format {
            postcode: Need::Required,
            templates: &["a9a 9a9"],
            state: Need::Required,
            states: CA_PROVINCES,
            state_name: "province",
            ..f
        },
        "AU" => Format {
            postcode: Need::Required,
            templates: &["9999"],
            state: Need::Required,
            states: AU_STATES,
            postcode_name: "postcode",
            state_name: "state",
            ..f
        },
        "JP" => Format {
            postcode: Need::Required,
            templates: &["999-9999"],
            state: Need::Required,
            states: JP_PREFECTURES,
            state_name: "prefecture",
            big_first: true,
            ..f
        },
        // City-states and territories whose addresses have no separate city line.
        "SG" | "HK" | "MO" | "MC" | "VA" | "GI" => Format {
            city: Need::Optional,
            ..f
        },
        _ => f,
    }
}

/// The officially assigned ISO 3166-1 alpha-2 codes (249, from Debian's iso-codes), two letters each.
pub const COUNTRIES: &str = "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCF\
CGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGY\
HKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMN\
MOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSI\
SJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW";

/// True for an assigned ISO 3166-1 alpha-2 code (upper case).
pub fn is_country(code: &str) -> bool {
    code.len() == 2 && COUNTRIES.as_bytes().chunks(2).any(|c| c == code.as_bytes())
}

/// The canonical code in `states` for `typed` (case-insensitive; Japanese names as they are).
fn state_code<'a>(states: &'a str, typed: &str) -> Option<&'a str> {
    states.split(',').find(|s| s.eq_ignore_ascii_case(typed))
}

/// `typed` in the form of the first template it fits (ignoring case, spaces and hyphens), or `None`.
pub fn normalise_postcode(templates: &[&str], typed: &str) -> Option<String> {
    let bare: Vec<char> = typed
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    templates.iter().find_map(|t| {
        let mut out = String::new();
        let mut input = bare.iter();
        for p in t.chars() {
            if p == ' ' || p == '-' {
                out.push(p);
                continue;
            }
            let c = *input.next()?;
            let fits = match p {
                'a' => c.is_ascii_uppercase(),
                '9' => c.is_ascii_digit(),
                'x' => c.is_ascii_uppercase() || c.is_ascii_digit(),
                lit => c == lit,
            };
            if !fits {
                return None;
            }
            out.push(c);
        }
        input.next().is_none().then_some(out)
    })
}

/// The address rules of `country` for the page's form, as JSON: `{"postcode": "required"|"optional",
/// "postcodeName", "example"?, "state": …, "stateName", "states": [..]?, "city": …, "bigFirst"}`.
pub fn format_json(country: &str) -> String {
    let f = format(country);
    let need = |n: Need| match n {
        Need::Required => "required",
        Need::Optional => "optional",
    };
    let mut o = Obj::new()
        .str("postcode", need(f.postcode))
        .str("postcodeName", f.postcode_name)
        .str("state", need(f.state))
        .str("stateName", f.state_name)
        .str("city", need(f.city))
        .raw("bigFirst", if f.big_first { "true" } else { "false" });
    if !f.states.is_empty() {
        let mut list = String::from("[");
        for (i, s) in f.states.split(',').enumerate() {
            if i > 0 {
                list.push(',');
            }
            json::push_str(&mut list, s);
        }
        list.push(']');
        o = o.raw("states", &list);
    }
    o.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(country: &str, postcode: Option<&str>, state: Option<&str>) -> Address {
        Address {
            address1: Some("1 High Street".into()),
            city: Some("Town".into()),
            postcode: postcode.map(Into::into),
            state: state.map(Into::into),
            country_code: country.into(),
            ..Address::default()
        }
    }

    fn codes(mut a: Address) -> (Vec<(String, &'static str)>, Address) {
        let e = a.check("billingAddress");
        (e.into_iter().map(|e| (e.field, e.code)).collect(), a)
    }

    #[test]
    fn postcodes_per_country_are_normalised_or_refused() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("GB", "sw1a1aa", Some("SW1A 1AA")),
            ("GB", "W2 1DG", Some("W2 1DG")),
            ("GB", "M11AE", Some("M1 1AE")),
            ("GB", "EC1A 1BB", Some("EC1A 1BB")),
            ("GB", "CR2 6XH", Some("CR2 6XH")),
            ("GB", "12345", None),
            ("GB", "SW1A 1A", None),
            ("US", "94105", Some("94105")),
            ("US", "94105-1234", Some("94105-1234")),
            ("US", "941051234", Some("94105-1234")),
            ("US", "9410", None),
            ("US", "ABCDE", None),
            ("DE", "10115", Some("10115")),
            ("DE", "1011", None),
            ("FR", "75001", Some("75001")),
            ("FR", "7500A", None),
            ("IE", "d02 x285", Some("D02 X285")),
            ("IE", "D6W1234", Some("D6W 1234")),
            ("IE", "D0", None),
            ("CA", "k1a0b1", Some("K1A 0B1")),
            ("CA", "K1A-0B1", Some("K1A 0B1")),
            ("CA", "K1A 0B", None),
            ("AU", "2000", Some("2000")),
            ("AU", "200", None),
            ("JP", "1000001", Some("100-0001")),
            ("JP", "100-0001", Some("100-0001")),
            ("JP", "100-001", None),
        ];
        for (country, typed, want) in cases {
            let state = match *country {
                "US" => Some("CA"),
                "CA" => Some("ON"),
                "AU" => Some("NSW"),
                "JP" => Some("東京都"),
                _ => None,
            };
            let (errors, a) = codes(addr(country, Some(typed), state));
            match want {
                Some(p) => {
                    assert!(errors.is_empty(), "{country} {typed}: {errors:?}");
                    assert_eq!(a.postcode.as_deref(), Some(*p), "{country} {typed}");
                }
                None => assert_eq!(
                    errors,
                    [("billingAddress.postcode".to_string(), "invalid_postcode")],
                    "{country} {typed}"
                ),
            }
        }
    }

    #[test]
    fn required_members_and_states_per_country() {
        let (e, _) = codes(addr("US", None, None));
        assert_eq!(
            e,
            [
                ("billingAddress.state".to_string(), "required"),
                ("billingAddress.postcode".to_string(), "required")
            ]
        );
        let (e, a) = codes(addr("US", Some("10001"), Some("ny")));
        assert!(e.is_empty());
        assert_eq!(a.state.as_deref(), Some("NY"), "normalised to the code");
        let (e, _) = codes(addr("US", Some("10001"), Some("New Yrok")));
        assert_eq!(e, [("billingAddress.state".to_string(), "invalid_state")]);
        let (e, _) = codes(addr("CA", Some("K1A 0B1"), Some("XX")));
        assert_eq!(e, [("billingAddress.state".to_string(), "invalid_state")]);
        let (e, _) = codes(addr("AU", Some("2000"), Some("vic")));
        assert!(e.is_empty());
        let (e, _) = codes(addr("JP", Some("100-0001"), Some("Tokyo")));
        assert_eq!(e, [("billingAddress.state".to_string(), "invalid_state")]);
        // GB's county, IE's county and eircode are optional; DE/FR have no state rules.
        for c in ["IE", "ZA", "NL"] {
            let (e, _) = codes(addr(c, None, None));
            assert!(e.is_empty(), "{c}: {e:?}");
        }
        for c in ["GB", "DE", "FR"] {
            let (e, _) = codes(addr(c, None, Some("anything")));
            assert_eq!(
                e,
                [("billingAddress.postcode".to_string(), "required")],
                "{c}"
            );
        }
        let mut no_street = addr("SG", None, None);
        no_street.address1 = None;
        no_street.city = None;
        let (e, _) = codes(no_street);
        assert_eq!(e, [("billingAddress.address1".to_string(), "required")]);
        let (e, _) = codes(addr("XK", None, None));
        assert_eq!(
            e,
            [("billingAddress.countryCode".to_string(), "invalid_country")]
        );
    }

    #[test]
    fn json_in_and_out() {
        let raw = r#"{"address1":" The Brunel Building ","address2":"","city":"London","postcode":"W2 1DG","countryCode":"gb","county":null}"#;
        let a = Address::from_json(raw, "billingAddress").expect("decodes");
        assert_eq!(a.address1.as_deref(), Some("The Brunel Building"));
        assert_eq!(a.address2, None, "blank is absent");
        assert_eq!(a.country_code, "GB");
        assert_eq!(
            a.to_json(),
            r#"{"address1":"The Brunel Building","city":"London","postcode":"W2 1DG","countryCode":"GB"}"#
        );
        let err = |raw: &str| {
            Address::from_json(raw, "b")
                .map_err(|e| (e.field, e.code))
                .err()
        };
        assert_eq!(
            err(r#"{"city":"x"}"#),
            Some(("b.countryCode".into(), "required"))
        );
        assert_eq!(
            err(r#"{"countryCode":"ZZ"}"#),
            Some(("b.countryCode".into(), "invalid_country"))
        );
        assert_eq!(
            err(r#"{"countryCode":"GB","city":1}"#),
            Some(("b.city".into(), "wrong_type"))
        );
        let long = format!(r#"{{"countryCode":"GB","postcode":"{}"}}"#, "9".repeat(51));
        assert_eq!(err(&long), Some(("b.postcode".into(), "too_long")));
        assert_eq!(err("[]"), Some(("b".into(), "wrong_type")));
        let s = ShippingDetails::from_json(
            r#"{"name":"Ada","address":{"countryCode":"FR","postcode":"75001"}}"#,
            "shippingDetails",
        )
        .expect("decodes");
        assert_eq!(
            s.to_json(),
            r#"{"name":"Ada","address":{"postcode":"75001","countryCode":"FR"}}"#
        );
        assert_eq!(
            ShippingDetails::from_json(r#"{"address":{}}"#, "s")
                .map_err(|e| e.field)
                .err(),
            Some("s.address.countryCode".into())
        );
    }

    proptest::proptest! {
        /// What the rules accept comes back in the country's form, and that form is accepted as it is:
        /// the page may normalise, send, and the API normalises again to the same text.
        #[test]
        fn a_normalised_postcode_is_a_fixed_point(
            country in proptest::sample::select(vec!["GB", "US", "DE", "FR", "IE", "CA", "AU", "JP"]),
            typed in "[A-Za-z0-9 -]{0,10}",
        ) {
            let f = format(country);
            if let Some(p) = normalise_postcode(f.templates, &typed) {
                proptest::prop_assert_eq!(normalise_postcode(f.templates, &p), Some(p.clone()));
                proptest::prop_assert!(p.len() <= 10);
            }
        }

        /// Any address, in any country code: the check answers (never panics), and every error names a
        /// member under the path.
        #[test]
        fn every_address_problem_names_its_field(
            country in "[A-Z]{2}",
            postcode in proptest::option::of("[A-Za-z0-9 -]{0,12}"),
            state in proptest::option::of("[A-Za-z]{0,4}"),
            street in proptest::option::of("[a-z ]{1,8}"),
        ) {
            let mut a = Address {
                address1: street,
                city: Some("Town".into()),
                postcode,
                state,
                country_code: country,
                ..Address::default()
            };
            for e in a.check("billingAddress") {
                proptest::prop_assert!(e.field.starts_with("billingAddress."), "{:?}", e);
            }
        }
    }

    #[test]
    fn the_country_list_is_iso_3166() {
        assert_eq!(COUNTRIES.len(), 2 * 249);
        for c in [
            "GB", "US", "DE", "FR", "IE", "CA", "AU", "JP", "AE", "IL", "SA", "ZW", "AD",
        ] {
            assert!(is_country(c), "{c}");
        }
        for c in ["UK", "EU", "XK", "gb", "G", "GBR", "BG "] {
            assert!(!is_country(c), "{c}");
        }
        // Sorted, so the list reads as ISO's table.
        let pairs: Vec<&[u8]> = COUNTRIES.as_bytes().chunks(2).collect();
        assert!(pairs.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn format_json_for_the_form() {
        let us: serde_json::Value = serde_json::from_str(&format_json("US")).expect("JSON");
        assert_eq!(us["postcodeName"], "zip");
        assert_eq!(us["states"].as_array().map(Vec::len), Some(59));
        let jp: serde_json::Value = serde_json::from_str(&format_json("JP")).expect("JSON");
        assert_eq!(jp["bigFirst"], true);
        assert_eq!(jp["states"][12], "東京都");
        assert_eq!(JP_PREFECTURES.split(',').count(), 47);
        let other: serde_json::Value = serde_json::from_str(&format_json("NL")).expect("JSON");
        assert_eq!(other["postcode"], "optional");
        assert!(other.get("states").is_none());
    }
}
