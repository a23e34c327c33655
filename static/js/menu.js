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
