// 对接成效 bar chart: needs per field at each step (data from the json_script "outcomes-data").
(function () {
  var holder = document.getElementById("outcomes-chart");
  var source = document.getElementById("outcomes-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { data: data.series.map(function (s) { return s.name; }) },
    grid: { left: 50, right: 20, top: 40, bottom: 40, containLabel: true },
    xAxis: { type: "category", data: data.fields, axisLabel: { interval: 0, rotate: data.fields.length > 6 ? 30 : 0 } },
    yAxis: { type: "value", name: "需求（项）", minInterval: 1 },
    series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
