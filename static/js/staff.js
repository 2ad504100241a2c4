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
    // Enter with a single match left picks it (the server does the same for a typed ?q= with one match).
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); select.focus(); }
      if (event.key !== "Enter") { return; }
      var visible = Array.prototype.filter.call(select.options, function (option) { return !option.hidden; });
      var pick = document.getElementById(input.getAttribute("data-single-match-form") || "");
      if (visible.length === 1 && pick) {
        event.preventDefault();
        visible[0].selected = true;
        pick.submit();
      }
    });
  });

  // Reception: a scanner types a chip ID card's QR ("id|old id|name|ddmmyyyy|sex|address|ddmmyyyy") into the
  // scan field or the name field; the server parses it and the applicant's fields are filled without a submit.
  var receiveForm = document.querySelector("form[data-cccd-url]");
  if (receiveForm) {
    var status = document.getElementById("cccd-scan-status");
    var pending = null;
    var isScan = function (value) { return (value.match(/\|/g) || []).length >= 6; };
    var complete = function (value) { return isScan(value) && /\|\d{8}\s*$/.test(value); };
    var reading = null;  // the string being read: a scanner's Enter right after the timer must not read it twice
    var readCard = function (input) {
      if (reading === input.value) { return; }
      reading = input.value;
      var body = new FormData();
      body.append("cccd_scan", input.value);
      body.append("csrfmiddlewaretoken", receiveForm.elements.csrfmiddlewaretoken.value);
      fetch(receiveForm.getAttribute("data-cccd-url"), {method: "POST", body: body, credentials: "same-origin"})
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          reading = null;
          if (answer.error) {
            status.textContent = answer.error;
            status.className = "errorlist";
            return;
          }
          if (input.name !== "cccd_scan") { input.value = ""; }
          var scan = receiveForm.elements.cccd_scan;
          if (scan) { scan.value = ""; }
          Object.keys(answer.fields).forEach(function (name) {
            var field = receiveForm.elements[name];
            if (field) { field.value = answer.fields[name]; }
          });
          status.className = "muted";
          status.textContent = status.getAttribute("data-filled") || "";
          var phone = receiveForm.elements.applicant_phone;
          if (phone) { phone.focus(); }
        })
        .catch(function () { reading = null; status.className = "errorlist"; status.textContent = status.getAttribute("data-failed") || ""; });
    };
    ["cccd_scan", "applicant_name"].forEach(function (name) {
      var input = receiveForm.elements[name];
      if (!input) { return; }
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (name === "cccd_scan" ? input.value.trim() : isScan(input.value))) {
          event.preventDefault();
          window.clearTimeout(pending);
          readCard(input);
        }
      });
      // Scanners set up without a final Enter: read once the last field (the issue date) has arrived.
      input.addEventListener("input", function () {
        window.clearTimeout(pending);
        if (complete(input.value)) { pending = window.setTimeout(function () { readCard(input); }, 250); }
      });
    });
  }

  // After an action failed, the error summary at the top takes the focus (screen readers read it first).
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) { summary.focus(); }

  // Just received: the receipt (Mẫu 01) opens in a new tab for printing; the link stays for a blocked pop-up.
  document.querySelectorAll("a[data-open-now]").forEach(function (link) {
    window.open(link.href, "_blank", "noopener");
  });

  // Destructive actions ask once more; the server still requires its "xác nhận" checkbox.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
