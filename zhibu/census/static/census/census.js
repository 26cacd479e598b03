// 党内统计 charts (Apache ECharts, served locally); data from the json_script tag.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var source = document.getElementById("census-chart-data");
  if (!source) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  var trendNode = document.getElementById("census-trend");
  if (trendNode && data.trend) {
    var trend = echarts.init(trendNode);
    trend.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, top: 24, bottom: 28 },
      xAxis: { type: "category", data: data.trend.map(function (p) { return p.label; }) },
      yAxis: { type: "value", name: "人", minInterval: 1 },
      series: [{ name: "党员数", type: "line", color: "#b3121b", data: data.trend.map(function (p) { return p.members; }) }]
    });
    charts.push(trend);
  }
  var structureNode = document.getElementById("census-structure");
  if (structureNode) {
    var structure = echarts.init(structureNode);
    structure.setOption({
      tooltip: { trigger: "item", formatter: "{b}：{c} 人（{d}%）" },
      series: [
        { name: "年龄", type: "pie", radius: ["0%", "38%"], center: ["25%", "50%"], label: { fontSize: 10 }, data: data.age || [] },
        { name: "学历", type: "pie", radius: ["0%", "38%"], center: ["75%", "50%"], label: { fontSize: 10 }, data: data.education || [] }
      ]
    });
    charts.push(structure);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
