// Year-end ranking chart (R8): completion per district, coloured by the recommended outcome.
(function () {
  const data = JSON.parse(document.getElementById("ranking-data").textContent);
  const colour = { reward: "#1b7f3b", penalty: "#b3261e", none: "#6b7385" };
  new Chart(document.getElementById("chart-ranking"), {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{
        label: data.label,
        data: data.completion,
        backgroundColor: data.outcome.map((o) => colour[o] || "#1f4e8c"),
      }],
    },
    options: {
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, title: { display: true, text: "%" } } },
    },
  });
})();
