// 乡镇服务覆盖图：各乡镇本年已确认服务次数与派驻特派员数。
(function () {
  var el = document.getElementById("coverage-chart");
  var src = document.getElementById("coverage-data");
  if (!el || !src || typeof echarts === "undefined") { return; }
  var d = JSON.parse(src.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["已确认服务（次）", "派驻特派员（名）"] },
    grid: { left: 40, right: 20, bottom: 90 },
    xAxis: { type: "category", data: d.townships, axisLabel: { rotate: 60, interval: 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "已确认服务（次）", type: "bar", data: d.logs },
      { name: "派驻特派员（名）", type: "line", data: d.commissioners }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
