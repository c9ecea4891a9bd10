// Progressive enhancement of the search page: ticking a filter searches at once (the form
// works without JavaScript through its "Apply filters" button).
(function () {
  "use strict";
  var form = document.querySelector("[data-search-form]");
  if (!form) { return; }
  // The filters are folded on a phone so the first result shows without scrolling; on a wider
  // screen they are open beside the results (without JavaScript they stay folded, one tap away).
  var filters = form.querySelector("[data-filters]");
  if (filters && window.matchMedia("(min-width: 50.01rem)").matches) { filters.open = true; }
  form.addEventListener("change", function (event) {
    if (event.target.matches('input[type="checkbox"]')) { form.submit(); }
  });
})();
