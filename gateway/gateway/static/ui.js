/* A little help where it matters; every page works without it.
   - a form with data-confirm asks before it is sent (withdraw, reject);
   - after a refused form, focus moves to the list of what to fix, so a screen reader reads it. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var problems = document.getElementById("problems");
    if (problems) {
      problems.focus();
    }
  });
})();
