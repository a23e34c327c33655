// Trend chart of an enterprise's yearly figures (data from the json_script "trend-data").
(function () {
  var holder = document.getElementById("trend-chart");
  var source = document.getElementById("trend-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis" },
    // legend under the plot: on a phone it wrapped over the axis name (万元)
    legend: { bottom: 0, data: data.series.map(function (s) { return s.name; }) },
    grid: { left: 60, right: 20, top: 36, bottom: 56 },
    xAxis: { type: "category", data: data.years.map(function (y) { return y + "年"; }) },
    yAxis: { type: "value", name: "万元" },
    series: data.series.map(function (s) {
      return { name: s.name, type: s.name === "营业收入" ? "bar" : "line",
               data: s.data.map(function (v) { return v === null ? null : Number(v); }) };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
