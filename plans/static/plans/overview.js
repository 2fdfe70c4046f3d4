/* Charts of the plan overview (Chart.js, vendored). Data comes from the #chart-data JSON. */
(function () {
  "use strict";
  var el = document.getElementById("chart-data");
  if (!el || typeof Chart === "undefined") { return; }
  var data = JSON.parse(el.textContent);
  var blue = "#1f4e8c", green = "#1b7f3b", grey = "#9aa3b5", red = "#b3261e";
  Chart.defaults.font.family = '"WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif';
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;  // draw at once: printing and screenshots show final bars

  function bar(id, labels, datasets, yTitle) {
    var canvas = document.getElementById(id);
    if (!canvas || !labels.length) { return; }
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: yTitle } } } }
    });
  }

  bar("chart-categories", data.categories.labels, [
    { label: data.text.target_min, data: data.categories.target, backgroundColor: grey },
    { label: data.text.planned, data: data.categories.planned, backgroundColor: blue },
    { label: data.text.supplied, data: data.categories.supplied, backgroundColor: green }
  ], data.text.hectares);

  bar("chart-rings", data.rings.labels, [
    { label: data.text.target_share, data: data.rings.target, backgroundColor: grey },
    { label: data.text.planned_share, data: data.rings.planned, backgroundColor: blue },
    { label: data.text.supplied_share, data: data.rings.supplied, backgroundColor: green }
  ], "%");

  bar("chart-districts", data.districts.labels, [
    { label: data.text.planned, data: data.districts.planned, backgroundColor: blue },
    { label: data.text.supplied, data: data.districts.supplied, backgroundColor: green }
  ], data.text.hectares);

  var cumulative = document.getElementById("chart-cumulative");
  if (cumulative) {
    var milestoneLine = data.cumulative.labels.map(function (label) {
      var hit = data.cumulative.milestones.filter(function (m) { return m.x === label; });
      return hit.length ? hit[0].y : null;
    });
    new Chart(cumulative, {
      type: "line",
      data: {
        labels: data.cumulative.labels,
        datasets: [
          { label: data.text.cumulative, data: data.cumulative.actual, borderColor: blue, backgroundColor: blue, tension: 0.1 }
        ].concat(data.cumulative.milestones.length ? [  // no milestone legend without milestones
          { label: data.text.milestone, data: milestoneLine, borderColor: red, backgroundColor: red, spanGaps: true,
            borderDash: [6, 4], pointRadius: 6, pointStyle: "triangle" }
        ] : [])
      },
      options: { scales: { y: { beginAtZero: true, suggestedMax: 100, title: { display: true, text: "%" } } } }
    });
  }
})();
