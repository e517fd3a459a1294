// The mailing form: the day's list shows only when the message goes to a day's invitees. Without
// JavaScript it always shows (its help text says when it counts), and the server ignores it otherwise.
(function () {
  "use strict";
  var form = document.querySelector("[data-mailing-form]");
  if (!form) {
    return;
  }
  var day = form.querySelector("#div_id_session");
  var choices = Array.prototype.slice.call(form.querySelectorAll("input[name='audience']"));
  if (!day || !choices.length) {
    return;
  }
  function update() {
    var checked = choices.filter(function (choice) {
      return choice.checked;
    })[0];
    day.hidden = !checked || checked.value.indexOf("day_") !== 0;
  }
  choices.forEach(function (choice) {
    choice.addEventListener("change", update);
  });
  update();
})();
