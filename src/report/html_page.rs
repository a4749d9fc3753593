//! The fixed parts of the HTML report: its style (light and dark, print) and its script
//! (filters, expand and collapse).

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
.bar.retried rect { stroke: var(--fg); stroke-width: 1.5; stroke-dasharray: 4 2; }
.bar:focus rect, .bar:hover rect { stroke: var(--fg); stroke-width: 2; stroke-dasharray: none; }
.axis { stroke: var(--line); } .tick { fill: var(--muted); font-size: 12px; }
.legend { font-size: .85rem; margin: .25rem 0 0; }
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
.stopped { border: 2px solid var(--interrupted); border-radius: 6px; margin: 1rem; padding: .4rem 1rem; } .stopped h2 { color: var(--interrupted); margin: .2rem 0; }
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
