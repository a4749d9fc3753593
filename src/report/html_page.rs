//! The fixed parts of the HTML report: its style (light and dark, print), its script
//! (filters, expand and collapse), and the timeline drawn as inline SVG.

use std::fmt::Write as _;
use std::time::Duration;

use crate::report::html::Bar;

/// Height of one lane of the timeline, in SVG units.
const LANE: f64 = 16.0;
/// Width of the timeline's drawing area, in SVG units (it scales to the page).
const WIDTH: f64 = 1000.0;

/// The timeline: one lane per concurrent slot, a bar per scenario coloured by status, each
/// a link to its scenario, with a time axis below.
pub fn timeline_svg(bars: &[Bar], total: Duration, text: impl Fn(&str) -> String) -> String {
    if bars.is_empty() {
        return "<p class=\"muted\">No scenario ran.</p>\n".into();
    }
    let lanes = bars.iter().map(|b| b.lane + 1).max().unwrap_or(1);
    let end = bars
        .iter()
        .map(|b| b.end)
        .max()
        .unwrap_or_default()
        .max(total)
        .as_secs_f64()
        .max(1e-6);
    let height = lanes as f64 * LANE + 24.0;
    let mut out = format!(
        "<div class=\"timeline\"><svg viewBox=\"0 0 {WIDTH} {height}\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{} scenarios on a time axis, {} at once at most\">\n",
        bars.len(),
        lanes
    );
    for bar in bars {
        let x = bar.start.as_secs_f64() / end * WIDTH;
        let w = ((bar.end - bar.start).as_secs_f64() / end * WIDTH).max(1.5);
        let y = bar.lane as f64 * LANE + 2.0;
        let ms = (bar.end - bar.start).as_millis();
        let _ = writeln!(
            out,
            "<a href=\"#s{}\" class=\"bar {}\"><rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{}\" rx=\"2\"><title>{} · {} · {ms} ms</title></rect></a>",
            bar.index,
            bar.status.word(),
            LANE - 4.0,
            text(&bar.name),
            bar.status.word(),
        );
    }
    // Five ticks along the axis, in milliseconds from the start.
    let axis_y = lanes as f64 * LANE + 4.0;
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"0\" y1=\"{axis_y}\" x2=\"{WIDTH}\" y2=\"{axis_y}\"/>"
    );
    for i in 0..=4 {
        let x = WIDTH * i as f64 / 4.0;
        let ms = end * 1000.0 * i as f64 / 4.0;
        let anchor = match i {
            0 => "start",
            4 => "end",
            _ => "middle",
        };
        let _ = writeln!(
            out,
            "<text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{ms:.0} ms</text>",
            axis_y + 16.0
        );
    }
    out.push_str("</svg></div>\n");
    out
}

pub const PAGE_STYLE: &str = r#"
:root { --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa;
  --passed: #1a7f37; --failed: #cf222e; --error: #bc4c00; --skipped: #9a6700; --interrupted: #8250df; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --line: #30363d; --panel: #161b22;
    --passed: #3fb950; --failed: #f85149; --error: #db6d28; --skipped: #d29922; --interrupted: #a371f7; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 1rem; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
h4 { margin: .75rem 0 .25rem; font-size: .95rem; }
.meta, .muted { color: var(--muted); } .meta { margin: .1rem 0; overflow-wrap: anywhere; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem 1rem; list-style: none; padding: 0; margin: .5rem 0; font-weight: 600; }
.counts .passed { color: var(--passed); } .counts .failed { color: var(--failed); } .counts .error { color: var(--error); }
.counts .skipped { color: var(--skipped); } .counts .interrupted { color: var(--interrupted); }
.timeline { border: 1px solid var(--line); border-radius: 6px; padding: .5rem; background: var(--panel); overflow-x: auto; }
.timeline svg { width: 100%; min-width: 720px; height: auto; display: block; }
.bar rect { fill: var(--passed); } .bar.failed rect { fill: var(--failed); } .bar.error rect { fill: var(--error); }
.bar.skipped rect { fill: var(--skipped); } .bar.interrupted rect { fill: var(--interrupted); }
.bar:focus rect, .bar:hover rect { stroke: var(--fg); stroke-width: 2; }
.axis { stroke: var(--line); } .tick { fill: var(--muted); font-size: 12px; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin-bottom: .5rem; }
.filters input[type=search] { min-width: 12rem; max-width: 100%; }
input, select, button { font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: .15rem .4rem; }
details { border: 1px solid var(--line); border-radius: 6px; margin: .4rem 0; background: var(--bg); }
details.scenario > summary { padding: .45rem .6rem; }
details.step { margin: .3rem .6rem; background: var(--panel); }
details.step > summary { padding: .3rem .5rem; }
summary { cursor: pointer; overflow-wrap: anywhere; }
summary:focus-visible, .bar:focus-visible { outline: 2px solid var(--fg); outline-offset: 2px; }
.step-body { padding: 0 .75rem .6rem; }
.badge { display: inline-block; min-width: 5.5em; text-align: center; border-radius: 4px; padding: 0 .3rem;
  font-size: .8rem; font-weight: 700; color: #fff; background: var(--passed); }
.badge.failed { background: var(--failed); } .badge.error { background: var(--error); }
.badge.skipped { background: var(--skipped); } .badge.interrupted { background: var(--interrupted); }
.tag { border: 1px solid var(--line); border-radius: 10px; padding: 0 .4rem; font-size: .8rem; color: var(--muted); }
pre, code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: .5rem; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 30rem; }
pre.error { border-color: var(--error); }
.line code, td code { overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: .25rem 0; table-layout: fixed; }
th, td { border: 1px solid var(--line); padding: .2rem .4rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
table.headers th { width: 30%; font-weight: 600; }
table.failures td:first-child { width: 18%; } table.failures { border-left: 3px solid var(--failed); }
.description { font-style: italic; } .reason { color: var(--skipped); margin: .3rem .6rem; }
[hidden] { display: none !important; }
@media (max-width: 600px) { body { padding: .5rem; font-size: 14px; } table.headers th { width: 40%; } }
@media print { .filters, #expand, #collapse { display: none; } details { break-inside: avoid; } pre { max-height: none; } }
"#;

pub const PAGE_SCRIPT: &str = r#"
(function () {
  var form = document.querySelector('.filters');
  var scenarios = Array.prototype.slice.call(document.querySelectorAll('details.scenario'));
  var shown = document.getElementById('shown');
  function apply() {
    var statuses = Array.prototype.slice.call(form.querySelectorAll('input[name=status]:checked')).map(function (i) { return i.value; });
    var tag = form.elements.tag.value;
    var text = form.elements.text.value.trim().toLowerCase();
    var count = 0;
    scenarios.forEach(function (s) {
      var ok = statuses.indexOf(s.dataset.status) >= 0
        && (!tag || (' ' + s.dataset.tags + ' ').indexOf(' ' + tag + ' ') >= 0)
        && (!text || s.textContent.toLowerCase().indexOf(text) >= 0);
      s.hidden = !ok;
      if (ok) { count++; }
    });
    shown.textContent = count + ' of ' + scenarios.length + ' scenarios shown';
  }
  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  function all(open) { document.querySelectorAll('details').forEach(function (d) { d.open = open; }); }
  document.getElementById('expand').addEventListener('click', function () { all(true); });
  document.getElementById('collapse').addEventListener('click', function () { all(false); });
  window.addEventListener('beforeprint', function () { all(true); });
  function reveal() {
    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.tagName === 'DETAILS') { target.hidden = false; target.open = true; }
  }
  window.addEventListener('hashchange', reveal);
  reveal();
  apply();
})();
"#;
