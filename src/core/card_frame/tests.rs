//! Test-only: the protocol's strictness, data-driven through one `accepts` helper per direction.

use super::*;

/// What the JS on each side sends (the exact texts of `www/sdk/card-frame-host.js` and
/// `www/sdk/card-frame.js`), and what they must decode to.
fn to_frame_cases() -> Vec<(&'static str, ToFrame)> {
    let theme = Theme(vec![
        (ThemeKey::Accent, "rgb(36, 84, 214)".into()),
        (ThemeKey::Radius, "8px".into()),
        (
            ThemeKey::Font,
            "system-ui, -apple-system, \"Segoe UI\", sans-serif".into(),
        ),
        (ThemeKey::FontSize, "16px".into()),
    ]);
    vec![
        (
            r#"{"v":1,"t":"init","intent":"pi_sandbox_abc","token":"cs_sandbox_x-y_z","locale":"de-AT","mode":"card","theme":{"accent":"rgb(36, 84, 214)","radius":"8px","font":"system-ui, -apple-system, \"Segoe UI\", sans-serif","fontSize":"16px"}}"#,
            ToFrame::Init {
                intent: "pi_sandbox_abc".into(),
                setup: false,
                token: Secret("cs_sandbox_x-y_z".into()),
                locale: "de-AT".into(),
                mode: Mode::Card,
                saved: None,
                theme,
            },
        ),
        (
            r#"{"v":1,"t":"init","intent":"pi_1","token":"t","locale":"en","mode":"cvc","theme":{},"brand":"amex","saved":"pm_saved_1"}"#,
            ToFrame::Init {
                intent: "pi_1".into(),
                setup: false,
                token: Secret("t".into()),
                locale: "en".into(),
                mode: Mode::Cvc,
                saved: Some(CvcCard {
                    id: "pm_saved_1".into(),
                    brand: Brand::Amex,
                }),
                theme: Theme::default(),
            },
        ),
        (
            r#"{"v":1,"t":"init","intent":"si_1","token":"t","locale":"en","mode":"card","theme":{},"setup":true}"#,
            ToFrame::Init {
                intent: "si_1".into(),
                setup: true,
                token: Secret("t".into()),
                locale: "en".into(),
                mode: Mode::Card,
                saved: None,
                theme: Theme::default(),
            },
        ),
        (
            r#"{"t":"token","v":1,"token":"cs_new"}"#,
            ToFrame::Token(Secret("cs_new".into())),
        ),
        (
            r#"{"v":1,"t":"locale","locale":"fr"}"#,
            ToFrame::Locale("fr".into()),
        ),
        (
            r##"{"v":1,"t":"theme","theme":{"bg":"#fff","fg":"#1a1d21cc"}}"##,
            ToFrame::Theme(Theme(vec![
                (ThemeKey::Bg, "#fff".into()),
                (ThemeKey::Fg, "#1a1d21cc".into()),
            ])),
        ),
        (
            r#"{"v":1,"t":"tokenize","seq":7}"#,
            ToFrame::Tokenize { seq: 7 },
        ),
        (
            r#"{"v":1,"t":"focus","field":"cvc"}"#,
            ToFrame::Focus(Field::Cvc),
        ),
        (r#"{"v":1,"t":"reset"}"#, ToFrame::Reset),
        (r#"{"v":1,"t":"busy","on":true}"#, ToFrame::Busy(true)),
    ]
}

fn to_page_cases() -> Vec<(&'static str, ToPage)> {
    let mut errors = FieldErrors::default();
    errors.set(Field::Number, "incomplete_number");
    errors.set(Field::Name, "required");
    vec![
        (
            r#"{"v":1,"t":"ready","height":312}"#,
            ToPage::Ready { height: 312 },
        ),
        (
            r#"{"v":1,"t":"resize","height":0}"#,
            ToPage::Resize { height: 0 },
        ),
        (
            r#"{"v":1,"t":"change","brand":"visa","complete":false,"empty":false,"errors":{"number":"incomplete_number","name":"required"}}"#,
            ToPage::Change {
                brand: Brand::Visa,
                complete: false,
                empty: false,
                errors: errors.clone(),
            },
        ),
        (
            r#"{"v":1,"t":"focus","field":"number"}"#,
            ToPage::Focus(Field::Number),
        ),
        (
            r#"{"v":1,"t":"blur","field":"expiry"}"#,
            ToPage::Blur(Field::Expiry),
        ),
        (r#"{"v":1,"t":"submit"}"#, ToPage::Submit),
        (
            r#"{"v":1,"t":"reference","seq":3,"card":{"id":"pm_sandbox_Ab-9","brand":"mastercard","last4":"4444","expiryMonth":12,"expiryYear":2034}}"#,
            ToPage::Reference {
                seq: 3,
                card: CardRef {
                    id: "pm_sandbox_Ab-9".into(),
                    brand: Brand::Mastercard,
                    last4: "4444".into(),
                    exp_month: 12,
                    exp_year: 2034,
                },
            },
        ),
        (
            r#"{"v":1,"t":"invalid","seq":4,"errors":{"number":"incomplete_number","name":"required"}}"#,
            ToPage::Invalid { seq: 4, errors },
        ),
        (
            r#"{"v":1,"t":"failed","seq":5,"code":"token_expired"}"#,
            ToPage::Failed {
                seq: 5,
                failure: Failure::TokenExpired,
            },
        ),
    ]
}

#[test]
fn every_message_the_js_sends_decodes_and_round_trips() {
    for (text, want) in to_frame_cases() {
        assert_eq!(ToFrame::decode(text).as_ref(), Some(&want), "{text}");
        assert_eq!(
            ToFrame::decode(&want.encode()),
            Some(want.clone()),
            "{text}"
        );
        assert_eq!(accept_for_frame(text), Some(want.encode()));
        if !matches!(want, ToFrame::Focus(_)) {
            // `focus` is the one type both directions have (page: move focus; frame: focus moved).
            assert_eq!(
                accept_for_page(text),
                None,
                "page never takes frame-bound messages"
            );
        }
    }
    for (text, want) in to_page_cases() {
        assert_eq!(ToPage::decode(text).as_ref(), Some(&want), "{text}");
        assert_eq!(ToPage::decode(&want.encode()), Some(want.clone()), "{text}");
        assert_eq!(accept_for_page(text), Some(want.encode()));
    }
    assert_eq!(
        accept_for_page(r#"{"v":1,"t":"hello"}"#).as_deref(),
        Some(r#"{"v":1,"t":"hello"}"#)
    );
    assert_eq!(
        accept_for_frame(r#"{"t":"connect","v":1}"#).as_deref(),
        Some(r#"{"v":1,"t":"connect"}"#)
    );
    assert_eq!(accept_for_page(r#"{"v":1,"t":"connect"}"#), None);
    assert_eq!(accept_for_frame(r#"{"v":1,"t":"hello"}"#), None);
}

#[test]
fn anything_else_is_dropped() {
    let page = [
        "",
        "null",
        "[]",
        "\"ready\"",
        r#"{"t":"ready","height":1}"#,                  // no version
        r#"{"v":2,"t":"ready","height":1}"#,            // another version
        r#"{"v":"1","t":"ready","height":1}"#,          // version as text
        r#"{"v":1,"t":"Ready","height":1}"#,            // types are case-sensitive
        r#"{"v":1,"t":"ready"}"#,                       // missing member
        r#"{"v":1,"t":"ready","height":1,"x":0}"#,      // extra member
        r#"{"v":1,"t":"ready","height":1,"height":2}"#, // repeated key
        r#"{"v":1,"v":1,"t":"ready","height":1}"#,      // repeated envelope key
        r#"{"v":1,"t":"ready","height":10001}"#,        // out of range
        r#"{"v":1,"t":"ready","height":-1}"#,
        r#"{"v":1,"t":"ready","height":1.5}"#,
        r#"{"v":1,"t":"ready","height":"1"}"#,
        r#"{"v":1,"t":"focus","field":"password"}"#,
        r#"{"v":1,"t":"change","brand":"visa","complete":1,"empty":false,"errors":{}}"#,
        r#"{"v":1,"t":"change","brand":"bitcoin","complete":true,"empty":false,"errors":{}}"#,
        r#"{"v":1,"t":"change","brand":"visa","complete":true,"empty":false,"errors":{"number":"4242424242424242"}}"#,
        r#"{"v":1,"t":"change","brand":"visa","complete":true,"empty":false,"errors":{"pan":"required"}}"#,
        r#"{"v":1,"t":"change","brand":"visa","complete":true,"empty":false,"errors":{"cvc":"required","cvc":"invalid"}}"#,
        r#"{"v":1,"t":"change","brand":"visa","complete":true,"empty":false,"errors":[]}"#,
        r#"{"v":1,"t":"invalid","seq":1,"errors":{}}"#,
        r#"{"v":1,"t":"failed","seq":1,"code":"oops"}"#,
        r#"{"v":1,"t":"reference","seq":1,"card":{"id":"pm_1","brand":"visa","last4":"42424","expiryMonth":12,"expiryYear":2034}}"#,
        r#"{"v":1,"t":"reference","seq":1,"card":{"id":"pm_1","brand":"unknown","last4":"4242","expiryMonth":12,"expiryYear":2034}}"#,
        r#"{"v":1,"t":"reference","seq":1,"card":{"id":"pm/../1","brand":"visa","last4":"4242","expiryMonth":12,"expiryYear":2034}}"#,
        r#"{"v":1,"t":"reference","seq":1,"card":{"id":"pm_1","brand":"visa","last4":"4242","expiryMonth":13,"expiryYear":2034}}"#,
        r#"{"v":1,"t":"reference","seq":1,"card":{"id":"pm_1","brand":"visa","last4":"4242","expiryMonth":12,"expiryYear":2034,"number":"4242424242424242"}}"#,
        r#"{"v":1,"t":"submit"}{"v":1,"t":"submit"}"#,
    ];
    for text in page {
        assert_eq!(accept_for_page(text), None, "{text}");
    }
    let long = format!(
        r#"{{"v":1,"t":"locale","locale":"en","pad":"{}"}}"#,
        "x".repeat(MAX_MESSAGE)
    );
    let frame = [
        r#"{"v":1,"t":"init","intent":"pi_1","token":"t","locale":"en","mode":"card","theme":{},"brand":"visa"}"#,
        r#"{"v":1,"t":"init","intent":"pi_1","token":"t","locale":"en","mode":"cvc","theme":{}}"#,
        r#"{"v":1,"t":"init","intent":"pi_1","token":"t","locale":"en","mode":"cvc","theme":{},"brand":"unknown","saved":"pm_1"}"#,
        // A CVC-only frame needs both its card's brand and id, a whole card neither.
        r#"{"v":1,"t":"init","intent":"pi_1","token":"t","locale":"en","mode":"cvc","theme":{},"brand":"amex"}"#,
        r#"{"v":1,"t":"init","intent":"pi_1","token":"t","locale":"en","mode":"cvc","theme":{},"saved":"pm_1"}"#,
        r#"{"v":1,"t":"init","intent":"pi_1","token":"t","locale":"en","mode":"cvc","theme":{},"brand":"amex","saved":"pm/../1"}"#,
        r#"{"v":1,"t":"init","intent":"pi_1","token":"t","locale":"en","mode":"card","theme":{},"brand":"amex","saved":"pm_1"}"#,
        r#"{"v":1,"t":"init","intent":"pi_1","token":"t","locale":"en","mode":"iban","theme":{}}"#,
        // `setup` is present only as `true`.
        r#"{"v":1,"t":"init","intent":"si_1","token":"t","locale":"en","mode":"card","theme":{},"setup":false}"#,
        r#"{"v":1,"t":"init","intent":"si_1","token":"t","locale":"en","mode":"card","theme":{},"setup":"yes"}"#,
        r#"{"v":1,"t":"init","intent":"../pi_1","token":"t","locale":"en","mode":"card","theme":{}}"#,
        r#"{"v":1,"t":"init","intent":"pi_1","token":"a b","locale":"en","mode":"card","theme":{}}"#,
        r#"{"v":1,"t":"init","intent":"pi_1","token":"","locale":"en","mode":"card","theme":{}}"#,
        r#"{"v":1,"t":"init","intent":"pi_1","token":"t\n","locale":"en","mode":"card","theme":{}}"#,
        r#"{"v":1,"t":"init","intent":"pi_1","token":"t","locale":"en_GB!","mode":"card","theme":{}}"#,
        r#"{"v":1,"t":"init","intent":"pi_1","token":"t","locale":"en","mode":"card","theme":{"accent":"red;background:url(//x)"}}"#,
        r#"{"v":1,"t":"init","intent":"pi_1","token":"t","locale":"en","mode":"card","theme":{"shadow":"none"}}"#,
        r#"{"v":1,"t":"tokenize","seq":4294967296}"#,
        r#"{"v":1,"t":"busy","on":"yes"}"#,
        r#"{"v":1,"t":"reset","all":true}"#,
        r#"{"v":1,"t":"token","token":null}"#,
        long.as_str(),
    ];
    for text in frame {
        assert_eq!(accept_for_frame(text), None, "{text}");
    }
}

#[test]
fn theme_values_are_values_never_css() {
    for ok in [
        "#fff",
        "#2454d6",
        "#2454d6cc",
        "rgb(36, 84, 214)",
        "rgba(0 0 0 / 55%)",
        "hsl(220deg 60% 50%)",
        "white",
        "transparent",
        "currentColor",
    ] {
        assert!(is_colour(ok), "{ok}");
    }
    for bad in [
        "",
        "#ggg",
        "#12345",
        "red;",
        "url(x)",
        "rgb(1,2,3));x:y(",
        "var(--x)",
        "expression(alert(1))",
        "red }",
        "rgb()",
        "color-mix(in srgb, red, blue)",
    ] {
        assert!(!is_colour(bad), "{bad}");
    }
    for ok in ["0", "8px", "0.5rem", "1em", "100%", "14.25px"] {
        assert!(is_length(ok), "{ok}");
    }
    for bad in [
        "",
        "8",
        "px",
        "-1px",
        "1e3px",
        "8px;",
        "calc(1px)",
        ".px",
        "12345px",
        "1.2345px",
    ] {
        assert!(!is_length(bad), "{bad}");
    }
    for ok in [
        "system-ui",
        "system-ui, -apple-system, \"Segoe UI\", sans-serif",
        "'Open Sans', serif",
    ] {
        assert!(is_font_family(ok), "{ok}");
    }
    for bad in ["", " , ", "a;b", "x\" y", "url(font.woff)", "a,,b", "\"\""] {
        assert!(!is_font_family(bad), "{bad}");
    }
}

#[test]
fn the_token_never_shows_in_debug_output() {
    let m = ToFrame::decode(r#"{"v":1,"t":"token","token":"cs_supersecret"}"#);
    let text = format!("{m:?}");
    assert!(!text.contains("supersecret"), "{text}");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever arrives, decoding answers without panicking, and what it accepts re-encodes to a
        /// text that decodes to the same message.
        #[test]
        fn decoding_is_total_and_stable(text in ".{0,300}") {
            if let Some(canonical) = accept_for_page(&text) {
                prop_assert_eq!(accept_for_page(&canonical), Some(canonical.clone()));
            }
            if let Some(canonical) = accept_for_frame(&text) {
                prop_assert_eq!(accept_for_frame(&canonical), Some(canonical.clone()));
            }
        }

        /// Messages built from the JS shapes with one member's value replaced by arbitrary JSON are
        /// either refused or still a well-formed message.
        #[test]
        fn a_mutated_member_is_refused_or_well_formed(case in 0usize..9, member in 0usize..8, value in prop_oneof![
            Just("null".to_string()), Just("true".to_string()), Just("[]".to_string()), Just("{}".to_string()),
            any::<i64>().prop_map(|n| n.to_string()), "[a-z0-9_ ]{0,12}".prop_map(|s| format!("\"{s}\"")),
        ]) {
            let (text, _) = to_page_cases()[case].clone();
            let members = json::members(text).unwrap_or_default();
            let member = member % members.len();
            let mut o = Obj::new();
            for (i, (k, v)) in members.iter().enumerate() {
                o = o.raw(k, if i == member { &value } else { v });
            }
            let mutated = o.finish();
            if let Some(m) = ToPage::decode(&mutated) {
                prop_assert_eq!(ToPage::decode(&m.encode()), Some(m));
            }
        }
    }
}
