/* 目标考核看板：乡镇 × 指标热力图、综合得分排名、全市趋势（数据来自 json_script，CSP 不允许内联脚本） */
(function () {
  var el = document.getElementById("targets-dashboard-data");
  if (!el || typeof echarts === "undefined") { return; }
  var d = JSON.parse(el.textContent);
  var heat = document.getElementById("heat");
  if (heat) {
    heat.style.height = Math.max(240, d.townships.length * 20 + 150) + "px";
    echarts.init(heat).setOption({
      tooltip: { formatter: function (p) { return d.townships[p.value[1]] + " · " + d.indicators[p.value[0]] + "：" + p.value[2] + "%"; } },
      grid: { left: 80, right: 20, top: 10, bottom: 110 },
      xAxis: { type: "category", data: d.indicators, axisLabel: { rotate: 30, interval: 0 } },
      yAxis: { type: "category", data: d.townships, inverse: true },
      visualMap: { min: 0, max: 120, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                   inRange: { color: ["#d73027", "#fee08b", "#1a9850"] } },
      series: [{ type: "heatmap", data: d.heat, label: { show: true, fontSize: 10 } }]
    });
  }
  var ranking = document.getElementById("ranking");
  if (ranking) {
    var rows = d.ranking.slice().reverse();
    echarts.init(ranking).setOption({
      tooltip: {}, grid: { left: 80, right: 40, top: 10, bottom: 20 },
      xAxis: { type: "value" }, yAxis: { type: "category", data: rows.map(function (r) { return r.unit; }) },
      series: [{ type: "bar", label: { show: true, position: "right" },
                 data: rows.map(function (r) { return { value: r.score, itemStyle: { color: r.praised ? "#1a9850" : (r.penalised ? "#d73027" : "#3b6fb6") } }; }) }]
    });
  }
  var trends = document.getElementById("trends");
  if (trends) {
    /* 各指标全年完成率（完成合计 ÷ 目标合计），单位不同的指标放在同一坐标上比较 */
    echarts.init(trends).setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
      legend: { type: "scroll", top: 0 }, grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: d.years.map(function (y) { return y + "年"; }) },
      yAxis: { type: "value", name: "完成率（%）" },
      series: d.trends.map(function (t) { return { name: t.indicator, type: "line", data: t.rates, connectNulls: false }; })
    });
  }
})();
