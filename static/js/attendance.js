// The attendance page's search box: shows only the people whose name or project holds what is typed.
// Hidden people stay in the form, so their marks are saved with the rest. Without JavaScript the box
// stays hidden and the whole list shows.
(function () {
  "use strict";
  var box = document.querySelector("[data-attendance-search]");
  if (!box) {
    return;
  }
  var input = box.querySelector("input");
  var empty = box.querySelector("[data-attendance-search-empty]");
  var people = Array.prototype.slice.call(document.querySelectorAll(".attendance-person"));
  var projects = Array.prototype.slice.call(document.querySelectorAll(".attendance-project"));

  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  var keys = people.map(function (person) {
    return fold(person.getAttribute("data-search") || "");
  });

  function filter() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    people.forEach(function (person, index) {
      var match = words.every(function (word) {
        return keys[index].indexOf(word) !== -1;
      });
      person.hidden = !match;
      if (match) {
        shown += 1;
      }
    });
    projects.forEach(function (project) {
      project.hidden = !project.querySelector(".attendance-person:not([hidden])");
    });
    empty.hidden = shown !== 0;
  }

  input.addEventListener("input", filter);
  // Enter in the box would send the form: it only searches.
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
    }
  });
  box.hidden = false;
})();
