// The 党费 ledger's chart (Apache ECharts, served locally); data from a json_script tag.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var node = document.getElementById("dues-chart");
  var source = document.getElementById("dues-chart-data");
  if (!node || !source) { return; }
  var rows = JSON.parse(source.textContent);
  var chart = echarts.init(node);
  chart.setOption({
    tooltip: { trigger: "axis" },
    grid: { left: 56, right: 16, top: 24, bottom: 28 },
    xAxis: { type: "category", data: rows.map(function (r) { return r.month + "月"; }) },
    yAxis: { type: "value", name: "元" },
    series: [{ name: "实交", type: "bar", color: "#b3121b", data: rows.map(function (r) { return Number(r.collected); }) }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
