// Progressive enhancement of the verification page (issue 4 "The page"); the form works without this file.
// Adds: dropping a file on the file field, removing a chosen file, a size check before upload, the report
// download (a Blob built from the JSON data block the server embedded), and focus on the verdict after a check.
(function () {
  "use strict";

  function formatBytes(bytes) {
    return bytes >= 1e6 ? (bytes / 1e6).toFixed(1) + " MB" : Math.ceil(bytes / 1e3) + " kB";
  }

  function enhanceFileField(form) {
    var input = document.getElementById("file");
    var zone = document.getElementById("dropzone");
    var status = document.getElementById("file-status");
    var clear = document.getElementById("clear-file");
    var error = document.getElementById("client-error");
    var maxBytes = Number(form.getAttribute("data-max-bytes")) || Infinity;
    if (!input || !zone || !status || !clear || !error) return;

    document.querySelectorAll(".js-only").forEach(function (element) { element.hidden = false; });

    function showError(text) {
      error.textContent = text;
      error.hidden = !text;
    }

    function update() {
      var file = input.files && input.files[0];
      showError("");
      status.textContent = file ? "Chosen: " + file.name + " (" + formatBytes(file.size) + ")" : "";
      clear.hidden = !file;
      if (file && file.size > maxBytes) {
        showError("This file is larger than the " + formatBytes(maxBytes) + " limit.");
      }
    }

    input.addEventListener("change", update);
    clear.addEventListener("click", function () {
      input.value = "";
      update();
      input.focus();
    });

    // Files dropped anywhere on the page go to the file field (a browser would otherwise open them and leave the
    // page); dragged text is left alone, so it can still be dropped into the text area.
    function carriesFiles(event) {
      return !!event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1;
    }
    ["dragenter", "dragover"].forEach(function (name) {
      document.addEventListener(name, function (event) {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
        zone.classList.add("is-dragging");
      });
    });
    document.addEventListener("dragleave", function (event) {
      if (event.relatedTarget === null) zone.classList.remove("is-dragging");
    });
    document.addEventListener("drop", function (event) {
      zone.classList.remove("is-dragging");
      if (!carriesFiles(event)) return;
      event.preventDefault();
      var files = event.dataTransfer.files;
      if (!files.length) return;
      // Only the first file: the form verifies one credential at a time.
      var transfer = new DataTransfer();
      transfer.items.add(files[0]);
      input.files = transfer.files;
      update();
    });

    form.addEventListener("submit", function (event) {
      var file = input.files && input.files[0];
      if (file && file.size > maxBytes) {
        event.preventDefault();
        showError("This file is larger than the " + formatBytes(maxBytes) + " limit.");
        input.focus();
      }
    });
  }

  function enhanceDownload() {
    var button = document.getElementById("download-report");
    var data = document.getElementById("report");
    if (!button || !data) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var report = JSON.parse(data.textContent);
      var blob = new Blob([JSON.stringify(report, null, 2) + "\n"], { type: "application/json" });
      var url = URL.createObjectURL(blob);
      var link = document.createElement("a");
      var stamp = String(report.checked_at || "").slice(0, 19).replace(/[^0-9T]/g, "");
      link.href = url;
      link.download = "verification-report" + (stamp ? "-" + stamp : "") + ".json";
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    });
  }

  function focusResult() {
    // After a check the page reloads with the result first; moving focus there lets screen readers announce it.
    var target = document.getElementById("verdict") || document.getElementById("input-error");
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("verify-form");
    if (form) enhanceFileField(form);
    enhanceDownload();
    focusResult();
  });
})();
