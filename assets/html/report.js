// The run report: filters by status, tag and text; expand and collapse; open what a link points at.
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
