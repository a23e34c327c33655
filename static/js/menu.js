// 手机宽度下的菜单开合（CSP 不允许内联脚本，故放在静态文件里）
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector(".menu-toggle");
  var nav = document.getElementById("sidenav");
  if (!button || !nav) return;
  button.addEventListener("click", function () {
    nav.classList.toggle("open");
    button.setAttribute("aria-expanded", nav.classList.contains("open") ? "true" : "false");
  });
});

// 手机宽度下按卡片显示的表格（table.grid.stack）：每个单元格带上所在列的表头，
// 模板里不必逐格写 data-label（写了的以模板为准）。
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table.grid.stack").forEach(function (table) {
    var head = table.querySelector("thead tr") || table.querySelector("tr");
    if (!head || !head.querySelector("th")) return;
    var labels = Array.prototype.map.call(head.children, function (c) { return c.textContent.trim(); });
    table.querySelectorAll("tr").forEach(function (row) {
      if (row === head) return;
      var col = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && labels[col] && !cell.hasAttribute("colspan")) {
          cell.setAttribute("data-label", labels[col]);
        }
        col += cell.colSpan || 1;
      });
    });
  });
});
