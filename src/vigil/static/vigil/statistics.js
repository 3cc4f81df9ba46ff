/* Charts on the statistics dashboard, drawn with Chart.js (static vendor/chartjs/chart.umd.min.js, loaded first).

   Progressive enhancement: every figure is already on the page as a table with the same numbers; without
   JavaScript or without Chart.js nothing changes. The figures come from <script type="application/json"
   id="statistics-data"> (json_script), a list of

     {"key": "signals_by_channel", "title": "…", "chart": "bar" | "line" | "stacked",
      "labels": ["Phone tip", …], "datasets": [{"label": "Signals", "data": [12, null, 0, …]}]}

   The numbers are already suppressed on the server: a hidden number (shown as "<5" or "x" in the table) is null
   here and is left out of the chart, never drawn as a guess. Each figure is drawn into
   <canvas data-figure="key"> inside a hidden .chart-box, which is shown once the chart is drawn.

   No inline scripts or style attributes: the CSP forbids them (styles set from a script are allowed). */
(function () {
  "use strict";

  // Okabe-Ito: told apart with the common forms of colour blindness
  var COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

  function figures() {
    var el = document.getElementById("statistics-data");
    if (!el) { return []; }
    try {
      var data = JSON.parse(el.textContent);
      return Array.isArray(data) ? data : [];
    } catch (e) {
      return [];
    }
  }

  function config(figure) {
    var stacked = figure.chart === "stacked";
    var line = figure.chart === "line";
    var several = figure.datasets.length > 1;
    var datasets = figure.datasets.map(function (d, i) {
      var colour = COLOURS[i % COLOURS.length];
      return { label: d.label, data: d.data, backgroundColor: colour, borderColor: colour, spanGaps: false,
               pointRadius: 3 };
    });
    var horizontal = figure.chart === "bar" && figure.labels.length > 6;
    return {
      type: line ? "line" : "bar",
      data: { labels: figure.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        plugins: {
          legend: { display: several },
          title: { display: false }
        },
        scales: {
          x: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } },
          y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } }
        }
      }
    };
  }

  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    figures().forEach(function (figure) {
      if (!figure || !figure.key || !Array.isArray(figure.labels) || !Array.isArray(figure.datasets)) { return; }
      var canvas = document.querySelector('canvas[data-figure="' + figure.key + '"]');
      if (!canvas || canvas.getAttribute("data-drawn")) { return; }
      var box = canvas.parentElement;
      box.hidden = false;
      canvas.setAttribute("data-drawn", "1");
      new window.Chart(canvas, config(figure));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
