/* 适老化：大字、高对比度两种阅读辅助，选择保存在本机，翻页后仍然有效。
   没有脚本时页面内容完整，只是不显示这组按钮。 */
(function () {
  var root = document.documentElement, key = "zfbz-care";
  var saved = [];
  try { saved = JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { saved = []; }
  function apply() {
    ["large", "contrast"].forEach(function (mode) {
      var on = saved.indexOf(mode) >= 0;
      root.classList.toggle("care-" + mode, on);
      var button = document.querySelector('[data-care="' + mode + '"]');
      if (button) { button.setAttribute("aria-pressed", on ? "true" : "false"); }
    });
    try { localStorage.setItem(key, JSON.stringify(saved)); } catch (e) { /* private mode */ }
  }
  var bar = document.getElementById("care");
  if (bar) {
    bar.hidden = false;
    bar.addEventListener("click", function (event) {
      var mode = event.target.getAttribute("data-care");
      if (!mode) { return; }
      if (mode === "reset") { saved = []; }
      else if (saved.indexOf(mode) >= 0) { saved.splice(saved.indexOf(mode), 1); }
      else { saved.push(mode); }
      apply();
    });
  }
  apply();
})();
