//! Static files are served as a CDN would: precompressed brotli/gzip by `Accept-Encoding`, `Vary`, and
//! immutable caching only for the versioned layout (`pkg/cdn/…`); everything else revalidates.

use crate::common::start_with;

struct Site {
    dir: std::path::PathBuf,
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// www/index.html, pkg/sdk.js (+ .br, .gz), pkg/cdn/1.0.0/sdk.0123abcd.js (+ .br, .gz), pkg/m.wasm (no
/// compressed siblings). The "compressed" files hold marker text: the test checks which one was sent.
fn site(name: &str) -> Site {
    let dir = std::env::temp_dir().join(format!("sandbox-cdn-{name}-{}", std::process::id()));
    let versioned = dir.join("pkg/cdn/1.0.0");
    std::fs::create_dir_all(dir.join("www")).expect("www");
    std::fs::create_dir_all(&versioned).expect("cdn");
    let write = |path: std::path::PathBuf, text: &str| std::fs::write(path, text).expect("write");
    write(dir.join("www/index.html"), "<h1>demo</h1>");
    for base in [dir.join("pkg/sdk.js"), versioned.join("sdk.0123abcd.js")] {
        write(base.clone(), "plain");
        write(base.with_extension("js.br"), "brotli");
        write(base.with_extension("js.gz"), "gzip");
    }
    write(dir.join("pkg/m.wasm"), "\0asm");
    Site { dir }
}

async fn get(
    base: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut req = reqwest::Client::new().get(format!("{base}{path}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.expect("response");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.text().await.unwrap_or_default())
}

fn header<'a>(h: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn precompressed_files_follow_accept_encoding() {
    let s = site("1");
    let sb = start_with(|c| {
        c.www_dir = s.dir.join("www");
        c.pkg_dir = s.dir.join("pkg");
    })
    .await;
    for (accept, body, encoding) in [
        ("gzip, deflate, br", "brotli", "br"),
        ("br;q=1.0, gzip;q=0.8", "brotli", "br"),
        ("gzip", "gzip", "gzip"),
        ("identity", "plain", ""),
        ("", "plain", ""),
    ] {
        let (status, h, text) = get(&sb.base, "/pkg/sdk.js", &[("accept-encoding", accept)]).await;
        assert_eq!(status, 200, "{accept}");
        assert_eq!(text, body, "Accept-Encoding: {accept}");
        assert_eq!(header(&h, "content-encoding"), encoding, "{accept}");
        assert_eq!(header(&h, "content-type"), "text/javascript", "{accept}");
        assert!(
            header(&h, "vary")
                .to_ascii_lowercase()
                .contains("accept-encoding"),
            "{accept}: {h:?}"
        );
    }
    // No compressed sibling: the file itself, with the type streaming compilation needs.
    let (status, h, _) = get(&sb.base, "/pkg/m.wasm", &[("accept-encoding", "br, gzip")]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-encoding"), "");
    assert_eq!(header(&h, "content-type"), "application/wasm");
}

#[tokio::test]
async fn versioned_files_are_immutable_and_the_rest_revalidates() {
    let s = site("2");
    let sb = start_with(|c| {
        c.www_dir = s.dir.join("www");
        c.pkg_dir = s.dir.join("pkg");
    })
    .await;
    let (status, h, text) = get(
        &sb.base,
        "/pkg/cdn/1.0.0/sdk.0123abcd.js",
        &[("accept-encoding", "br")],
    )
    .await;
    assert_eq!((status, text.as_str()), (200, "brotli"));
    assert_eq!(
        header(&h, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(header(&h, "content-encoding"), "br");

    for path in ["/pkg/sdk.js", "/pkg/m.wasm", "/", "/index.html"] {
        let (status, h, _) = get(&sb.base, path, &[]).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(header(&h, "cache-control"), "no-cache", "{path}");
        let modified = header(&h, "last-modified").to_string();
        assert!(!modified.is_empty(), "{path} has a validator");
        // Revalidation: an unchanged file answers 304 with no body.
        let (status, _, body) = get(&sb.base, path, &[("if-modified-since", &modified)]).await;
        assert_eq!((status, body.as_str()), (304, ""), "{path}");
    }
    // A missing versioned file is a 404, not the revalidated package fallback.
    let (status, h, _) = get(&sb.base, "/pkg/cdn/1.0.0/gone.ffffffff.js", &[]).await;
    assert_eq!(status, 404);
    assert_eq!(header(&h, "cache-control"), "no-cache");
}

#[tokio::test]
async fn api_replies_keep_their_own_caching() {
    let s = site("3");
    let sb = start_with(|c| {
        c.www_dir = s.dir.join("www");
        c.pkg_dir = s.dir.join("pkg");
    })
    .await;
    let (status, h, _) = get(&sb.base, "/payment-intents/public/pi_nope", &[]).await;
    assert_eq!(status, 401);
    assert_ne!(header(&h, "cache-control"), "no-cache");
    assert_ne!(
        header(&h, "cache-control"),
        "public, max-age=31536000, immutable"
    );
}
