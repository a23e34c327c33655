// 政策沙盘: cost by township, policy in force vs draft (data from the json_script element).
(function () {
  var el = document.getElementById("sandbox-chart");
  var src = document.getElementById("sandbox-data");
  if (!el || !src || typeof echarts === "undefined") { return; }
  var d = JSON.parse(src.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["现行政策", "草稿"] },
    xAxis: { type: "category", data: d.townships, axisLabel: { rotate: 30 } },
    yAxis: { type: "value", name: "万元" },
    series: [
      { name: "现行政策", type: "bar", data: d.current },
      { name: "草稿", type: "bar", data: d.draft }
    ]
  });
})();
