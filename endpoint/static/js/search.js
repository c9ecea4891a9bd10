// Progressive enhancement of the search page: ticking a filter searches at once (the form
// works without JavaScript through its "Apply filters" button).
(function () {
  "use strict";
  var form = document.querySelector("[data-search-form]");
  if (!form) { return; }
  form.addEventListener("change", function (event) {
    if (event.target.matches('input[type="checkbox"]')) { form.submit(); }
  });
})();
