// Keyset paging as the API does it: a "Next page" when the API's Link says
// one follows, "First page" when not on it; the browser's Back goes back.
import { html } from "./html.js";
import { Link } from "./router.js";

export function Pager({ firstHref, nextHref, label }) {
  if (!firstHref && !nextHref) return null;
  return html`<nav class="pager" aria-label=${label || "Pages"}>
    ${firstHref && html`<${Link} href=${firstHref}>First page</${Link}>`}
    ${nextHref && html`<${Link} href=${nextHref} rel="next">Next page</${Link}>`}
  </nav>`;
}
