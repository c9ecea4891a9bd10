// Draws the stats page's charts with Chart.js (vendored): each [data-chart] section holds its
// numbers as JSON ({type, labels, values, label}) next to a table of the same numbers, which is
// what screen readers and browsers without JavaScript read.
(function () {
  "use strict";
  function draw(section) {
    var source = section.querySelector('script[type="application/json"]');
    var canvas = section.querySelector("canvas");
    if (!source || !canvas || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    var accent = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim() || "#1f6f5c";
    new window.Chart(canvas, {
      type: data.type,
      data: { labels: data.labels, datasets: [{ label: data.label, data: data.values, backgroundColor: accent,
                                              borderColor: accent, fill: false, pointRadius: 0 }] },
      options: {
        indexAxis: data.type === "bar" ? "y" : "x", maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false } },
        scales: { x: { ticks: { precision: 0 } }, y: { ticks: { precision: 0, autoSkip: data.type !== "bar" } } },
      },
    });
    section.dataset.drawn = "true";
  }
  function start() { document.querySelectorAll("[data-chart]").forEach(draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
