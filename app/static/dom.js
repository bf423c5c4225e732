// The page's elements: built (HTML or SVG) without innerHTML, and made keyboard-scrollable.

// An element with attributes and text, in the SVG namespace for SVG tags.
const SVG_TAGS = new Set(["svg", "g", "polyline", "circle", "text", "line", "rect"]);

export function element(tag, attributes = {}, text = "") {
  const node = SVG_TAGS.has(tag)
    ? document.createElementNS("http://www.w3.org/2000/svg", tag)
    : document.createElement(tag);
  Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, value));
  if (text !== "") node.textContent = text;
  return node;
}

// A sideways-scrolling wrapper: keyboard users can scroll it only if it is focusable, and only
// then does it need to be (with a name).
export function markScrollable(scroller, label) {
  const scrolls = scroller.scrollWidth > scroller.clientWidth;
  [["tabindex", "0"], ["role", "region"], ["aria-label", label]]
    .forEach(([name, value]) => (scrolls ? scroller.setAttribute(name, value)
                                         : scroller.removeAttribute(name)));
}
