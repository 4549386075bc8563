//! What binds a 3-D Secure challenge to the customer's frame: a completion credential that only the
//! challenge page's HTML carries (never a URL; the page is not readable cross-origin), and the origin
//! of the page that paid, which alone may frame the challenge and hear its result.

use std::collections::HashMap;

use super::random_id;

#[derive(Debug)]
pub struct Guard {
    /// Sent back as `Authorization: Bearer …` by the challenge page's buttons.
    pub credential: String,
    /// The paying page's origin (`Origin` of the pay request, when it was an allowed frame ancestor).
    pub parent: Option<String>,
}

#[derive(Default, Debug)]
pub struct ChallengeGuards {
    open: HashMap<String, Guard>,
}

impl ChallengeGuards {
    pub fn open(&mut self, challenge: &str, parent: Option<String>) {
        let credential = random_id("chc_", 24);
        self.open
            .insert(challenge.to_string(), Guard { credential, parent });
    }

    pub fn get(&self, challenge: &str) -> Option<&Guard> {
        self.open.get(challenge)
    }

    pub fn close(&mut self, challenge: &str) {
        self.open.remove(challenge);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_open_challenge_has_its_own_credential_until_closed() {
        let mut g = ChallengeGuards::default();
        g.open("ch_1", Some("http://localhost:1".into()));
        g.open("ch_2", None);
        let cred = |g: &ChallengeGuards, c| g.get(c).map(|x| x.credential.clone());
        let one = cred(&g, "ch_1").unwrap_or_default();
        assert!(one.starts_with("chc_") && one.len() > 20);
        assert_ne!(cred(&g, "ch_2"), Some(one));
        assert_eq!(
            g.get("ch_1").and_then(|x| x.parent.as_deref()),
            Some("http://localhost:1")
        );
        g.close("ch_1");
        assert!(g.get("ch_1").is_none());
    }
}
