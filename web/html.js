// The template tag every component renders with: htm bound to Preact's h.
// Values are passed as properties and text, never parsed as HTML, so data
// from the API is always shown as text.
import { h } from "preact";
import htm from "htm";

export const html = htm.bind(h);
