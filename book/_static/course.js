// The Math Behind Deep Learning: draw every formula soon after a page opens.
//
// MathJax's lazy typesetting (ui/lazy, see _config.yml) draws the formulas in view first,
// so a chapter with hundreds of them is readable at once. This then draws all the others
// in the background, so that screen readers, find-in-page and printing see every formula
// without the reader having to scroll to it first.
//
// A display formula wider than the column scrolls sideways; it is made reachable with the
// keyboard (tabindex), as the theme does for wide code blocks.
function courseMakeWideMathFocusable() {
  document.querySelectorAll('mjx-container[display="true"]').forEach((formula) => {
    if (formula.scrollWidth > formula.clientWidth + 1) {
      formula.setAttribute("tabindex", "0");
    } else {
      formula.removeAttribute("tabindex");
    }
  });
}

window.addEventListener("load", () => {
  if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return;
  MathJax.startup.promise.then(() => {
    const page = MathJax.startup.document;
    if (!page || typeof page.lazyTypesetAll !== "function") return;
    const later = window.requestIdleCallback || ((callback) => setTimeout(callback, 0));
    later(() => {
      window.courseMathDone = page.lazyTypesetAll().then(courseMakeWideMathFocusable);
    });
  });
  window.addEventListener("resize", courseMakeWideMathFocusable);
});
