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

// Resolves once a frame has been drawn: MathJax's lazy typesetting learns which formulas are
// in view from an IntersectionObserver, which reports after a frame.
const courseNextFrame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
// Resolves when the browser is idle (idle callbacks run in the order they were asked for).
const courseIdle = () => new Promise((resolve) => (window.requestIdleCallback || ((f) => setTimeout(f, 0)))(resolve));

window.addEventListener("load", () => {
  if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return;
  window.courseMathDone = MathJax.startup.promise
    .then(async () => {
      const page = MathJax.startup.document;
      if (!page || typeof page.lazyTypesetAll !== "function") return;
      // 1. the formulas in view: MathJax draws them when idle, once its observer has reported
      await courseNextFrame();
      await courseIdle();
      await page.lazyPromise;
      // 2. the fonts they asked for
      await courseNextFrame();
      await document.fonts.ready;
      // 3. all the other formulas, in one pass, when the browser is idle again
      await courseIdle();
      await page.lazyTypesetAll();
    })
    .then(courseMakeWideMathFocusable);
  window.addEventListener("resize", courseMakeWideMathFocusable);
});
