// Cockpit charts (Apache ECharts, served locally). Data comes from json_script tags.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  var red = "#b3121b", gold = "#c9a227", green = "#1e7b34", grey = "#6c757d";
  var trend = data("zb-trend-data");
  var trendNode = document.getElementById("zb-trend");
  if (trend && trendNode) {
    var chart = echarts.init(trendNode);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["问题", "待办", "符合"] },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: "category", data: trend.map(function (r) { return r.month; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "问题", type: "bar", stack: "all", color: red, data: trend.map(function (r) { return r.problems; }) },
        // Still due this month: not a problem yet, shown apart.
        { name: "待办", type: "bar", stack: "all", color: gold, data: trend.map(function (r) { return r.due; }) },
        { name: "符合", type: "bar", stack: "all", color: green, data: trend.map(function (r) { return r.ok; }) }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var dist = data("zb-distribution-data");
  var distNode = document.getElementById("zb-distribution");
  if (dist && distNode) {
    var statuses = [["late", "逾期", red], ["missing", "缺失", "#6f1d1b"], ["suspect", "存疑", "#5a3d99"],
                    ["due", "待办", "#b07800"], ["exempt", "豁免", grey], ["ok", "符合", green]];
    var chart2 = echarts.init(distNode);
    chart2.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: statuses.map(function (s) { return s[1]; }) },
      grid: { left: 40, right: 16, top: 36, bottom: 48 },
      xAxis: { type: "category", data: dist.map(function (r) { return r.code; }), axisLabel: { rotate: 45 } },
      yAxis: { type: "value", minInterval: 1 },
      series: statuses.map(function (s) {
        return { name: s[1], type: "bar", stack: "all", color: s[2], data: dist.map(function (r) { return r[s[0]]; }) };
      })
    });
    window.addEventListener("resize", function () { chart2.resize(); });
  }
})();
