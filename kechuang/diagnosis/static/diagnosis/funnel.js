// 培育库漏斗图（ECharts，数据来自 json_script "funnel-data"）
(function () {
  var el = document.getElementById("funnel-chart");
  var data = document.getElementById("funnel-data");
  if (!el || !data || !window.echarts) return;
  var d = JSON.parse(data.textContent);
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "item", formatter: "{b}：{c} 家" },
    series: [{
      type: "funnel", sort: "none", left: "6%", width: "55%", minSize: "12%",
      // labels beside the funnel: the narrow bottom levels (小巨人) stay readable
      label: { show: true, position: "right", formatter: "{b} {c} 家", color: "#1f2933" },
      labelLine: { show: true, length: 16 },
      data: d.labels.map(function (l, i) { return { name: l, value: d.values[i] }; })
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
