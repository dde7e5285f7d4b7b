//! Charts drawn on the server as SVG: no JavaScript and no chart library. Every chart has a
//! `<title>` and `<desc>` for screen readers, and the pages show its numbers as a table beside
//! it. All text in a chart is escaped here.

use std::fmt::{self, Write as _};

/// SVG markup built by this module, the only kind templates may emit unescaped besides
/// rendered Markdown.
#[derive(Debug, Clone, Default)]
pub struct Svg(String);

impl fmt::Display for Svg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl askama::filters::HtmlSafe for Svg {}

/// One series of bars: its name (for the legend) and CSS class (for its colour).
pub struct Series<'a> {
    pub name: &'a str,
    pub class: &'a str,
    pub values: Vec<i64>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 34.0;
/// Category labels are cut to this many characters when side by side...
const LABEL_CHARS: usize = 12;
/// ...and slanted when that many (at about this width each) would not fit under their bars.
const CHAR_WIDTH: f64 = 6.5;
/// The extra height slanted labels need.
const SLANTED_LABELS: f64 = 80.0;

/// Bars grouped by category (months, teams), one bar per series in each group.
pub fn grouped_bars(id: &str, title: &str, description: &str, categories: &[String], series: &[Series<'_>]) -> Svg {
    let most = series.iter().flat_map(|s| s.values.iter().copied()).max().unwrap_or(0).max(1);
    let top = nice_ceiling(most);
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let group = plot_width / categories.len().max(1) as f64;
    // Many categories (50 teams) leave no room for labels side by side: they are slanted
    // instead, and the chart grows downwards to hold them.
    let longest = categories.iter().map(|c| c.chars().count().min(LABEL_CHARS)).max().unwrap_or(0);
    let slanted = longest as f64 * CHAR_WIDTH > group;
    let height = if slanted { HEIGHT + SLANTED_LABELS } else { HEIGHT };
    let y = |value: i64| TOP + plot_height - plot_height * value as f64 / top as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(description)
    );
    // Grid lines and the value axis: 0, half and the top.
    for value in [0, top / 2, top] {
        let at = y(value);
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{at:.1}" y2="{at:.1}"/><text class="axis" x="{}" y="{:.1}" text-anchor="end">{value}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            at + 4.0
        );
    }
    let bar = group * 0.76 / series.len().max(1) as f64;
    for (i, category) in categories.iter().enumerate() {
        let start = LEFT + group * i as f64 + group * 0.12;
        for (s, one) in series.iter().enumerate() {
            let value = one.values.get(i).copied().unwrap_or(0);
            let (x, top_y) = (start + bar * s as f64, y(value));
            let _ = write!(
                svg,
                r#"<rect class="{}" x="{x:.1}" y="{top_y:.1}" width="{:.1}" height="{:.1}"><title>{}: {} {value}</title></rect>"#,
                escape(one.class),
                (bar - 1.0).max(1.0),
                TOP + plot_height - top_y,
                escape(category),
                escape(one.name)
            );
        }
        let (x, y) = (LEFT + group * (i as f64 + 0.5), HEIGHT - BOTTOM + 14.0);
        let _ = if slanted {
            write!(
                svg,
                r#"<text class="axis" text-anchor="end" transform="translate({:.1} {y}) rotate(-65)">{}</text>"#,
                x + 3.0,
                escape(&short(category, 16))
            )
        } else {
            write!(
                svg,
                r#"<text class="axis" x="{x:.1}" y="{y}" text-anchor="middle">{}</text>"#,
                escape(&short(category, LABEL_CHARS))
            )
        };
    }
    // The legend, top left.
    let mut x = LEFT;
    for one in series {
        let _ = write!(
            svg,
            r#"<rect class="{}" x="{x}" y="8" width="12" height="12"/><text class="legend" x="{}" y="18">{}</text>"#,
            escape(one.class),
            x + 16.0,
            escape(one.name)
        );
        x += 24.0 + 8.0 * one.name.chars().count() as f64;
    }
    svg.push_str("</svg>");
    Svg(svg)
}

/// One bar of [`ranked_bars`]: its label, its value, and where it leads.
pub struct Bar<'a> {
    pub label: &'a str,
    pub value: i64,
    pub href: String,
}

const ROW: f64 = 26.0;
const LABEL_WIDTH: f64 = 210.0;
const VALUE_WIDTH: f64 = 64.0;

/// Horizontal bars, one a row, the label before and the number after each, every row a link
/// (to the postmortems it counts). For ranked counts, where labels are long and many.
///
/// A group, not an image like [`grouped_bars`]: an image's insides are hidden from screen
/// readers, so its links would take keyboard focus without saying what they are (axe's
/// `nested-interactive`). As a group, each row reads as a link named by its label and number.
pub fn ranked_bars(id: &str, title: &str, description: &str, bars: &[Bar<'_>]) -> Svg {
    let most = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1);
    let height = ROW * bars.len().max(1) as f64 + 8.0;
    let room = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart chart-ranked" viewBox="0 0 {WIDTH} {height}" role="group" aria-labelledby="{id}-title" aria-describedby="{id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(description)
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = 4.0 + ROW * i as f64;
        let width = (room * bar.value as f64 / most as f64).max(if bar.value > 0 { 2.0 } else { 0.0 });
        let _ = write!(
            svg,
            r#"<a href="{}"><text class="axis bar-label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="bar-theme" x="{LABEL_WIDTH}" y="{:.1}" width="{width:.1}" height="{:.1}"><title>{}: {}</title></rect><text class="legend bar-value" x="{:.1}" y="{:.1}">{}</text></a>"#,
            escape(&bar.href),
            LABEL_WIDTH - 8.0,
            y + ROW * 0.62,
            escape(&short(bar.label, 30)),
            y + 3.0,
            ROW - 8.0,
            escape(bar.label),
            bar.value,
            LABEL_WIDTH + width + 6.0,
            y + ROW * 0.62,
            bar.value
        );
    }
    svg.push_str("</svg>");
    Svg(svg)
}

/// The smallest of 1, 2, 5 × 10ⁿ that is at least `value`, so the axis reads in round numbers.
fn nice_ceiling(value: i64) -> i64 {
    let mut step = 1;
    loop {
        for factor in [1, 2, 5] {
            if step * factor >= value {
                return step * factor;
            }
        }
        step *= 10;
    }
}

fn short(text: &str, most: usize) -> String {
    if text.chars().count() <= most { text.to_owned() } else { text.chars().take(most - 1).collect::<String>() + "…" }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_accessible_and_escapes_its_text() {
        let categories = vec!["<script>".to_owned(), "Payments & Billing".to_owned()];
        let series = [Series { name: "Open", class: "open", values: vec![3, 7] }];
        let svg = grouped_bars("c", "Open \"items\"", "Two teams", &categories, &series).to_string();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img""#) && svg.contains("<title id=\"c-title\">Open &quot;items&quot;</title>"));
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;"));
        assert_eq!(svg.matches("<rect class=\"open\" x=").count(), 3, "two bars and the legend's swatch");
        assert!(svg.contains(">10</text>"), "the axis tops out at a round number: {svg}");
    }

    #[test]
    fn many_categories_get_slanted_labels_in_a_taller_chart() {
        let categories: Vec<String> = (1..=50).map(|n| format!("Team {n}")).collect();
        let series = [Series { name: "Open", class: "open", values: vec![1; 50] }];
        let svg = grouped_bars("c", "t", "d", &categories, &series).to_string();
        assert_eq!(svg.matches("rotate(-65)").count(), 50);
        assert!(svg.contains(r#"viewBox="0 0 720 340""#), "{}", &svg[..120]);
        let few = grouped_bars("c", "t", "d", &categories[..12], &series).to_string();
        assert!(!few.contains("rotate(") && few.contains(r#"viewBox="0 0 720 260""#));
    }

    #[test]
    fn ranked_bars_link_each_row_and_escape_it() {
        let bars = [
            Bar { label: "<b>DNS</b>", value: 8, href: "/search?service=1&from=x".to_owned() },
            Bar { label: "CDN", value: 2, href: "/search?service=2".to_owned() },
        ];
        let svg = ranked_bars("r", "Services", "Two", &bars).to_string();
        assert_eq!(svg.matches("<a href=").count(), 2);
        assert!(svg.contains(r#"role="group" aria-labelledby="r-title" aria-describedby="r-desc""#), "{svg}");
        assert!(svg.contains(r#"<a href="/search?service=1&amp;from=x">"#), "{svg}");
        assert!(!svg.contains("<b>") && svg.contains("&lt;b&gt;DNS"));
        assert!(svg.contains(">8</text>") && svg.contains(">2</text>"), "the numbers are beside the bars");
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!([1, 2, 3, 7, 10, 11, 180, 501].map(nice_ceiling), [1, 2, 5, 10, 10, 20, 200, 1000]);
    }
}
