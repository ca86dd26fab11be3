/* A little help where it matters; every page works without it.
   - a form with data-confirm asks before it is sent (withdraw, reject);
   - after a refused form, focus moves to the list of what to fix, so a screen reader reads it;
   - a list of rows (data-rows, e.g. a group top-up list) gets an "add a row" button that
     copies the last row with the next row number (without script the page already shows a
     few blank rows, and one more after each submission). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  function renumber(row, path, from, to, legend) {
    var oldName = path + "." + from + ".";
    var newName = path + "." + to + ".";
    var oldId = "-" + from + "-";
    var newId = "-" + to + "-";
    row.setAttribute("data-row", String(to));
    row.classList.remove("bad");
    Array.prototype.forEach.call(row.querySelectorAll("[name]"), function (el) {
      el.name = el.name.replace(oldName, newName);
    });
    Array.prototype.forEach.call(row.querySelectorAll("[id]"), function (el) {
      el.id = el.id.replace(oldId, newId);
    });
    Array.prototype.forEach.call(row.querySelectorAll("label[for]"), function (el) {
      el.htmlFor = el.htmlFor.replace(oldId, newId);
    });
    Array.prototype.forEach.call(row.querySelectorAll(".err"), function (el) {
      el.parentNode.removeChild(el);
    });
    Array.prototype.forEach.call(row.querySelectorAll("input, select, textarea"), function (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
      if (el.type === "checkbox") { el.checked = false; } else { el.value = ""; }
    });
    Array.prototype.forEach.call(row.querySelectorAll(".bad"), function (el) {
      el.classList.remove("bad");
    });
    var title = row.querySelector("legend");
    if (title) { title.textContent = legend.replace("{n}", String(to + 1)); }
  }

  function addRowButton(list) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "add-row";
    button.textContent = list.getAttribute("data-add");
    var max = parseInt(list.getAttribute("data-max"), 10) || 50;
    button.addEventListener("click", function () {
      var rows = list.querySelectorAll(".row-item");
      if (rows.length >= max) { return; }
      var last = rows[rows.length - 1];
      var copy = last.cloneNode(true);
      var from = parseInt(last.getAttribute("data-row"), 10);
      renumber(copy, list.getAttribute("data-rows"), from, from + 1,
               list.getAttribute("data-legend"));
      last.parentNode.insertBefore(copy, last.nextSibling);
      var first = copy.querySelector("input, select, textarea");
      if (first) { first.focus(); }
      if (rows.length + 1 >= max) { button.disabled = true; }
    });
    list.appendChild(button);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-rows]"), addRowButton);
    var problems = document.getElementById("problems");
    if (problems) {
      problems.focus();
    }
  });
})();
