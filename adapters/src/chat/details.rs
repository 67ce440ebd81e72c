//! What an alert's PagerDuty-style `details` offer a card: `links` (`[{href, text}]`) and
//! `images` (`[{src, href, alt}]`), as one line each. Which URLs are safe, and how a link is
//! written, is the platform's escaper's business; which entries become lines, and in what
//! order, is decided here once.

use serde_json::Value;

/// The entries of `details[key]`, none unless it is an array.
fn list<'a>(details: &'a Value, key: &str) -> &'a [Value] {
    details
        .get(key)
        .and_then(Value::as_array)
        .map(|a| a.as_slice())
        .unwrap_or_default()
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// The images' `src` URLs, as given (unchecked).
pub fn image_sources(details: &Value) -> impl Iterator<Item = String> + '_ {
    list(details, "images")
        .iter()
        .filter_map(|img| text(img, "src"))
}

/// `🔗 <link>` for each link, then `🖼 <link>` for each image (to its `href` when `linkable`
/// accepts it, else to its `src`, named by its `alt`). `link(url, text)` writes a link the
/// platform's way, or `None` for a URL it will not link.
pub fn link_lines<'a>(
    details: &'a Value,
    link: impl Fn(&str, Option<&str>) -> Option<String> + Copy + 'a,
    linkable: impl Fn(&str) -> bool + 'a,
) -> impl Iterator<Item = String> + 'a {
    let links = list(details, "links")
        .iter()
        .filter_map(move |l| link(&text(l, "href")?, text(l, "text").as_deref()))
        .map(|l| format!("🔗 {l}"));
    let images = list(details, "images").iter().filter_map(move |img| {
        let target = text(img, "href")
            .filter(|h| linkable(h))
            .or_else(|| text(img, "src"))?;
        let alt = text(img, "alt").unwrap_or_else(|| "image".to_owned());
        link(&target, Some(&alt)).map(|l| format!("🖼 {l}"))
    });
    links.chain(images)
}
