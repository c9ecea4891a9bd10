/*
 * Data Commons search widget. A member organisation pastes one tag into its own website:
 *
 *   <script src="https://COMMONS/widget.js" data-member="alpha" async></script>
 *
 * and a search box with results appears where the tag is. Optional data attributes fix the
 * search to the member's own co-ops or to a region, country, kind or activity
 * (data-member, data-region, data-country, data-structure, data-activity; several values
 * separated by spaces), set the page size (data-per-page) and the initial text (data-q).
 *
 * It touches nothing of the host page but one <div>: the markup and styles live in a Shadow
 * DOM, no global variable is defined, and the only styling the host can do is through the
 * CSS custom properties below, which cross the shadow boundary by design:
 *   --dc-accent, --dc-text, --dc-muted, --dc-background, --dc-border, --dc-font, --dc-radius
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var origin = new URL(script.src).origin;
  var data = script.dataset;
  var FILTERS = ["member", "region", "country", "structure", "activity"];
  var perPage = Math.min(Math.max(parseInt(data.perPage || "10", 10) || 10, 1), 50);

  var host = document.createElement("div");
  host.setAttribute("data-commons-widget", "");
  var target = data.target ? document.querySelector(data.target) : null;
  if (target) { target.appendChild(host); } else { script.parentNode.insertBefore(host, script.nextSibling); }
  var root = host.attachShadow({ mode: "open" });

  var style = document.createElement("style");
  style.textContent = [
    ":host { all: initial; display: block; contain: content;",
    "  font-family: var(--dc-font, system-ui, -apple-system, 'Segoe UI', sans-serif); font-size: 16px; line-height: 1.45;",
    "  color: var(--dc-text, #1d2521); background: var(--dc-background, transparent); }",
    "form { display: flex; gap: .5em; flex-wrap: wrap; align-items: end; margin: 0 0 .75em; }",
    "label { display: block; width: 100%; font-weight: 600; }",
    "input { flex: 1 1 12em; font: inherit; padding: .45em .6em; border: 1px solid var(--dc-border, #c9c4b8); border-radius: var(--dc-radius, 6px); color: inherit; background: #fff; }",
    "button { font: inherit; padding: .45em 1em; border: 0; border-radius: var(--dc-radius, 6px); background: var(--dc-accent, #1f6f5c); color: #fff; cursor: pointer; }",
    "input:focus, button:focus, a:focus { outline: 3px solid #f0b429; outline-offset: 2px; }",
    "ol { list-style: none; margin: 0; padding: 0; }",
    "li { padding: .6em 0; border-bottom: 1px solid var(--dc-border, #dcd8cf); }",
    "a { color: var(--dc-accent, #1f6f5c); }",
    ".name { font-weight: 600; }",
    ".place, .status, .more { color: var(--dc-muted, #5b6661); font-size: .9em; margin: .15em 0; }",
    ".tags { font-size: .8em; color: var(--dc-muted, #5b6661); }",
  ].join("\n");
  root.appendChild(style);

  var form = document.createElement("form");
  form.setAttribute("role", "search");
  var inputId = "dc-q";
  var label = document.createElement("label");
  label.setAttribute("for", inputId);
  label.textContent = data.label || "Search co-ops";
  var input = document.createElement("input");
  input.type = "search"; input.id = inputId; input.name = "q"; input.value = data.q || "";
  input.setAttribute("part", "input");
  var button = document.createElement("button");
  button.type = "submit"; button.textContent = "Search";
  form.append(label, input, button);
  var status = document.createElement("p");
  status.className = "status"; status.setAttribute("aria-live", "polite");
  var list = document.createElement("ol");
  var more = document.createElement("p");
  more.className = "more";
  root.append(form, status, list, more);

  function params(q) {
    var p = new URLSearchParams();
    if (q) { p.set("q", q); }
    FILTERS.forEach(function (name) {
      (data[name] || "").split(/\s+/).filter(Boolean).forEach(function (v) { p.append(name, v); });
    });
    p.set("per_page", String(perPage));
    return p;
  }

  function text(tag, className, value) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    el.textContent = value;
    return el;
  }

  function render(doc) {
    list.replaceChildren();
    doc.results.forEach(function (r) {
      var item = document.createElement("li");
      var link = text("a", "name", r.name);
      link.href = r.url; link.target = "_blank"; link.rel = "noopener";
      item.appendChild(link);
      var place = [r.locality, r.region, r.country && r.country.name].filter(Boolean).join(", ");
      if (place) { item.appendChild(text("p", "place", place)); }
      var tags = r.structures.concat(r.activities).map(function (t) { return t.label; });
      if (tags.length) { item.appendChild(text("p", "tags", tags.join(" · "))); }
      list.appendChild(item);
    });
    status.textContent = doc.total + (doc.total === 1 ? " co-op" : " co-ops");
    more.replaceChildren();
    if (doc.total > doc.results.length) {
      var all = text("a", "", "See all " + doc.total + " in the directory");
      all.href = doc.links.html; all.target = "_blank"; all.rel = "noopener";
      more.appendChild(all);
    }
    host.setAttribute("data-state", "ready");
  }

  function search(q) {
    status.textContent = "Searching…";
    host.setAttribute("data-state", "loading");
    fetch(origin + "/api/search?" + params(q).toString(), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(render)
      .catch(function () {
        status.textContent = "The directory could not be reached.";
        host.setAttribute("data-state", "error");
      });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); search(input.value.trim()); });
  search(input.value.trim());
})();
