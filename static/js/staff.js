/* Staff pages: small enhancements only; every page works the same without JavaScript. */
(function () {
  "use strict";

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase().replace(/\s+/g, " ").trim();
  }

  // Procedure picker: typing in the filter box narrows the <select> at once (the GET ?q= works too).
  document.querySelectorAll("[data-filter-select]").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-filter-select"));
    if (!select) { return; }
    input.addEventListener("input", function () {
      var words = fold(input.value).split(" ").filter(Boolean);
      var firstVisible = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var text = option.getAttribute("data-search") || fold(option.textContent);
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        option.hidden = !match;
        if (match && !firstVisible) { firstVisible = option; }
      });
      if (firstVisible && (select.selectedIndex < 0 || select.options[select.selectedIndex].hidden)) {
        firstVisible.selected = true;
      }
    });
    // Down arrow from the filter box moves into the list: the picker stays keyboard-first.
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); select.focus(); }
    });
  });

  // Destructive actions ask once more; the server still requires its "xác nhận" checkbox.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
