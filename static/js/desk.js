// 首页工作台图表（ECharts，数据来自 json_script "desk-charts"）
(function () {
  var data = document.getElementById("desk-charts");
  if (!data || !window.echarts) return;
  JSON.parse(data.textContent).forEach(function (c) {
    var el = document.getElementById(c.id);
    if (!el) return;
    var chart = window.echarts.init(el);
    var unit = c.unit || "";
    var option;
    if (c.kind === "funnel") {
      option = {
        tooltip: { trigger: "item", formatter: "{b}：{c} " + unit },
        series: [{ type: "funnel", sort: "none", left: "4%", width: "52%", minSize: "12%",
                   // labels beside the funnel with a guide line: the narrow bottom levels stay readable
                   label: { show: true, position: "right", formatter: "{b} {c}", color: "#1f2933" },
                   labelLine: { show: true, length: 12 },
                   data: c.labels.map(function (l, i) { return { name: l, value: c.values[i] }; }) }]
      };
    } else if (c.kind === "pie") {
      option = {
        tooltip: { trigger: "item", formatter: "{b}：{c} " + unit + "（{d}%）" },
        series: [{ type: "pie", radius: ["35%", "65%"],
                   data: c.labels.map(function (l, i) { return { name: l, value: c.values[i] }; }) }]
      };
    } else {
      var horizontal = c.kind === "hbar";
      var cat = { type: "category", data: c.labels, axisLabel: { interval: 0, fontSize: 11 } };
      var val = { type: "value", name: unit };
      option = {
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v + " " + unit; } },
        grid: { left: horizontal ? 80 : 50, right: horizontal ? 48 : 24, top: 30, bottom: 30 },
        xAxis: horizontal ? val : cat, yAxis: horizontal ? cat : val,
        series: [{ type: "bar", name: c.name, data: c.values, itemStyle: { color: "#1d4f91" },
                   label: { show: true, position: horizontal ? "right" : "top" } }]
      };
    }
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
