// The new-postmortem form's template, enhanced (without this file the form works the same
// through its "Show the chosen template" button):
// - choosing a severity chooses the template its rule asks for (each severity's <option>
//   names it in data-template), unless the one chosen already fits it (each template's
//   radio lists the severities it fits in data-fits);
// - choosing another template sends the form to be shown again with that template's
//   sections and questions, as the button does; everything typed comes back as it was.
(function () {
  "use strict";

  var form = document.querySelector("form[data-templates]");
  if (!form) return;
  var severity = form.querySelector("#severity");
  var show = form.querySelector("button[name=action][value=template]");

  function chosen() {
    return form.querySelector("input[name=template]:checked");
  }

  function showChosen() {
    if (show && typeof form.requestSubmit === "function") form.requestSubmit(show);
  }

  if (severity) {
    severity.addEventListener("change", function () {
      var option = severity.options[severity.selectedIndex];
      var wanted = option ? option.getAttribute("data-template") : null;
      var current = chosen();
      var fits = current ? (current.getAttribute("data-fits") || "").split(" ") : [];
      if (!wanted || (current && (current.value === wanted || fits.indexOf(severity.value) >= 0))) return;
      form.querySelectorAll("input[name=template]").forEach(function (radio) {
        radio.checked = radio.value === wanted;
      });
      showChosen();
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "template") showChosen();
  });
})();
